"""Registry pages beyond the generated ones: the credit-class change form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qcity.core.registry import get
from qcity.core.scopes import CHANGE
from qcity.core.views import get_scoped_object

from . import services
from .models import Enterprise


@login_required
@require_POST
def set_class(request, pk):
    enterprise = get_scoped_object(get(Enterprise), request.user, pk, CHANGE)
    try:
        services.set_credit_class(
            enterprise,
            request.POST.get("credit_class", ""),
            request.user,
            request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("信用风险分类已调整"))
    return redirect("registry:enterprise_detail", pk=pk)
