from django import forms
from django.utils.translation import gettext_lazy as _

from qcity.core.generic import style_form

from .choices import PlanRole
from .models import Plan

PLAN_KINDS = ("txt", "docx", "pdf", "html", "xlsx")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("规划文件"),
        help_text=_("可上传 .txt、.docx、.pdf（含文字层）、.html/.htm、.xlsx 文件"),
    )
    role = forms.ChoiceField(label=_("用途"), choices=PlanRole.choices, initial=PlanRole.OURS)
    revision_of = forms.ModelChoiceField(
        label=_("修订的规划（新版本时选择）"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("—— 新规划，不是修订 ——"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision_of"].queryset = Plan.objects.for_user(user).filter(
            is_current=True, is_void=False
        )
        style_form(self)

    def clean_file(self):
        from qcity.core import uploads

        uploaded = self.cleaned_data["file"]
        uploads.validate(uploaded, PLAN_KINDS)  # the one upload path
        return uploaded
