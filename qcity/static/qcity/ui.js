/* Small page behaviours declared by data- attributes, so that no template needs an inline
 * script or an on...= handler under the Content-Security-Policy:
 *
 *   <select data-qc-autosubmit>          submits its form when changed
 *   <button data-qc-print>               prints the page
 *   <form data-qc-confirm="question">    asks before submitting
 *
 * Listeners sit on the document, so content swapped in by htmx works too.
 */
(function () {
  'use strict';
  document.addEventListener('change', function (event) {
    var el = event.target;
    if (el.matches && el.matches('[data-qc-autosubmit]') && el.form) {
      el.form.submit();
    }
  });
  document.addEventListener('click', function (event) {
    var el = event.target.closest ? event.target.closest('[data-qc-print]') : null;
    if (el) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute('data-qc-confirm');
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
