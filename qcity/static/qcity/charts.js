/* QCity charts (ECharts), started from data- attributes: no inline script under the CSP.
 *
 *   <div data-qc-chart="trend" data-qc-data="ID" data-qc-labels="ID">     indicator/target trend
 *   <div data-qc-chart="lights" data-qc-data="ID">                          target lights pie
 *   <div data-qc-chart="passrate" data-qc-data="ID">                        monthly pass rate
 *
 * Each ID names a json_script block holding the chart's data.
 */
(function () {
  'use strict';

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    var value = JSON.parse(el.textContent);
    return typeof value === 'string' ? JSON.parse(value) : value; // some views pass a JSON string
  }

  function keepSized(chart) {
    window.addEventListener('resize', function () { chart.resize(); });
    window.addEventListener('beforeprint', function () { chart.resize(); });
  }

  function trend(el) {
    var d = readJson(el.dataset.qcData);
    var L = readJson(el.dataset.qcLabels) || {};
    if (!d) return;
    var series = [];
    function line(name, data, extra) {
      if (data && data.length) {
        series.push(Object.assign({name: name, type: 'line', data: data, showSymbol: true, symbolSize: 5}, extra || {}));
      }
    }
    line(L.reported, d.reported, {color: '#1f4e79'});
    line(L.computed, d.computed, {color: '#2e9d5b', lineStyle: {type: 'dotted'}});
    line(L.pooled, d.pooled, {color: '#0b7a75', lineStyle: {width: 3}});
    line(L.target, d.target, {color: '#d64545', showSymbol: false, lineStyle: {type: 'dashed'}});
    line(L.target_high, d.target_high, {color: '#d64545', showSymbol: false, lineStyle: {type: 'dashed'}});
    line(L.plan, d.plan, {color: '#e5b50b', showSymbol: false, lineStyle: {type: 'dashed'}});
    line(L.forecast, d.forecast, {color: '#6f42c1', showSymbol: false, lineStyle: {type: 'dotted'}});
    if (d.band_low && d.band_low.length) {
      series.push({name: L.band, type: 'line', data: d.band_low, stack: 'band', lineStyle: {opacity: 0}, showSymbol: false, color: '#b9a5e3'});
      series.push({name: L.band, type: 'line', data: d.band_width, stack: 'band', lineStyle: {opacity: 0}, showSymbol: false, areaStyle: {color: 'rgba(111,66,193,0.18)'}, color: '#b9a5e3'});
    }
    var names = [];
    series.forEach(function (s) { if (names.indexOf(s.name) < 0) names.push(s.name); });
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: {trigger: 'axis'},
      legend: {top: 0, type: 'scroll', data: names},  // one row that scrolls: on a phone a wrapped legend covers the plot
      grid: {left: 50, right: 20, top: 40, bottom: 30},
      xAxis: {type: 'time'},
      yAxis: {type: 'value', scale: true, name: d.unit || ''},
      series: series
    });
    keepSized(chart);
  }

  function lights(el) {
    var d = readJson(el.dataset.qcData);
    if (!d) return;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false, tooltip: {trigger: 'item'},
      series: [{type: 'pie', radius: ['45%', '80%'], label: {show: false},
        data: d.labels.map(function (name, i) {
          return {name: name, value: d.values[i], itemStyle: {color: d.colors[i]}};
        }).filter(function (x) { return x.value > 0; })}]
    });
    keepSized(chart);
  }

  function passrate(el) {
    var d = readJson(el.dataset.qcData);
    if (!d) return;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: 'axis'}, grid: {left: 40, right: 10, top: 20, bottom: 30},
      xAxis: {type: 'category', data: d.months},
      yAxis: {type: 'value', min: function (v) { return Math.max(0, Math.floor(v.min - 2)); }, max: 100},
      series: [
        {type: 'line', data: d.rates, name: '%'},
        {type: 'line', data: d.low, name: '95% -', lineStyle: {type: 'dashed', opacity: 0.4}, symbol: 'none'},
        {type: 'line', data: d.high, name: '95% +', lineStyle: {type: 'dashed', opacity: 0.4}, symbol: 'none'}
      ]
    });
    keepSized(chart);
  }

  var KINDS = {trend: trend, lights: lights, passrate: passrate};

  function start() {
    if (typeof echarts === 'undefined') return;
    document.querySelectorAll('[data-qc-chart]').forEach(function (el) {
      var draw = KINDS[el.dataset.qcChart];
      if (draw && !el.dataset.qcDrawn) {
        el.dataset.qcDrawn = '1';
        draw(el);
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
