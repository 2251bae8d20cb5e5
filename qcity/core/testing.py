"""Generic tests every registered model inherits (PATTERNS.md 9, 10).

A model's test subclass supplies data only: ``model``, ``make(world)`` (an object owned by the
``owner`` role's unit, created through services), ``form_data(world)`` for a valid create, and
the role handles. The base class walks the role × URL matrix over the model's pages and API
endpoints, checks that a denial changed nothing, and that allowed changes write the change log.
Every model's .csv and .xlsx exports are read back and checked against the list and the export
log; a model with personal data (``register(..., masked=...)``) also gets, per masked field, a
test that the exported files hold the masked form and never the real value.
A meta-test fails when a registered model has no subclass.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from . import audit, capabilities
from .generic import field_label
from .models import ChangeLog
from .registry import get

ROLES = ["anonymous", "owner", "other", "auditor", "office_admin"]


class RegisteredModelTests:
    model = None
    owner = "market_staff"  # handle of a user whose unit owns the sample object
    other = "other_district_staff"  # a user with no relation to it
    creates_as = "office_admin"  # a handle allowed to create

    # -- data supplied by subclasses
    def make(self, world):
        raise NotImplementedError

    def form_data(self, world) -> dict:
        raise NotImplementedError

    # -- helpers
    @property
    def registration(self):
        return get(self.model)

    def handle(self, role):
        return {"anonymous": None, "owner": self.owner, "other": self.other}.get(role, role)

    def expected(self, role, action):
        """HTTP status a role gets for 'view' or 'change' of the sample object."""
        kind = self.model.scope.kind
        if role == "anonymous":
            return "login"
        if self.handle(role) == "office_admin":
            return 200
        if kind == "reference":
            return 200 if action == "view" else 403
        if kind == "office":
            return (
                200
                if role == "auditor" and action == "view"
                else (403 if role == "auditor" else 404)
            )
        if role == "auditor":
            return 200 if action == "view" else 403
        if role == "owner":  # in scope: the capability table decides what it may change
            if action == "view":
                return 200
            return 200 if self._actor_granted(self.owner, action) else 403
        return 404

    def _actor_granted(self, handle, action) -> bool:
        from .demo import load_world

        user = load_world().user(handle)
        return bool(capabilities.grants(user, self.model, action))

    def _make(self, world):
        with audit.acting_as(world.user("office_admin")):
            return self.make(world)

    def url(self, name, *args):
        return reverse(f"{self.registration.url_prefix}_{name}", args=args)

    # -- the matrix
    @pytest.mark.parametrize("role", ROLES)
    def test_role_url_matrix(self, world, client_for, role):
        obj = self._make(world)
        client = client_for(self.handle(role))
        before = ChangeLog.objects.count()
        for name, action in (("detail", "view"), ("edit", "change"), ("remove", "delete")):
            if (
                name == "remove"
                and self.registration.void is None
                and self.registration.delete is None
            ):
                continue
            response = client.get(self.url(name, obj.pk))
            want = self.expected(role, action)
            if want == "login":
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                    name
                )
            else:
                assert response.status_code == want, (
                    f"{role} GET {name}: {response.status_code} != {want}"
                )
            if want != 200:  # a refused POST must change nothing
                client.post(self.url(name, obj.pk), {"reason": "x"})
        # creation and import pages: the office may, a read-only auditor and the public may not
        for name, exists in (
            ("create", self.registration.create is not None),
            ("import", bool(self.registration.import_columns)),
        ):
            if not exists or role not in ("anonymous", "auditor", "office_admin"):
                continue
            response = client.get(self.url(name))
            if role == "anonymous":
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                    name
                )
            elif role == "auditor" and self.handle(role) == "auditor":
                assert response.status_code == 403, f"auditor GET {name}: {response.status_code}"
                client.post(self.url(name), self.form_data(world) if name == "create" else {})
            else:
                assert response.status_code == 200, f"office GET {name}: {response.status_code}"
        list_response = client.get(self.url("list"))
        assert list_response.status_code == (302 if role == "anonymous" else 200)
        api = client.get(f"/api/{self.registration.app_label}/{self.registration.slug}/{obj.pk}/")
        want = self.expected(role, "view")
        assert api.status_code == (401 if want == "login" else want), (
            f"{role} API detail {api.status_code}"
        )
        if self.expected(role, "change") != 200:
            api_change = client.patch(
                f"/api/{self.registration.app_label}/{self.registration.slug}/{obj.pk}/",
                {},
                content_type="application/json",
            )
            assert api_change.status_code in ((401,) if role == "anonymous" else (403, 404))
            assert ChangeLog.objects.count() == before, (
                f"a refused change by {role} wrote something"
            )

    # -- the capability matrix: role × action against capabilities.TABLE, pages and API
    MATRIX_USERS = {
        capabilities.OFFICE: ["office_admin"],
        capabilities.AUDITOR: ["auditor"],
        capabilities.DISTRICT_GOV: ["district_gov_staff"],
        capabilities.CITY_DEPT: ["construction_staff", "agriculture_staff"],
        capabilities.MARKET: ["market_staff", "district_staff", "other_district_staff"],
        capabilities.INSPECTOR: ["inspector", "inspector2", "inspector3"],
    }

    def _matrix_user(self, world, actor, obj):
        """One user of the actor's kind, preferably one whose read scope reaches the object
        (so the table, not the scope, decides)."""
        handles = self.MATRIX_USERS[actor]
        for handle in handles:
            user = world.user(handle)
            if self.model._default_manager.for_user(user).filter(pk=obj.pk).exists():
                return handle, user
        return handles[0], world.user(handles[0])

    def _table_says(self, user, actor, obj, action, saving=False) -> bool:
        """The cell for this actor; ``saving``: the named limit checked when the record is
        written (answerable units) applies too, not only the scope that opens the page."""
        rules = capabilities.TABLE[capabilities.label(self.model)].get(action, {})
        if actor not in rules:
            return False
        if action == "create":
            return True
        if not self.model._default_manager.for_user(user).filter(pk=obj.pk).exists():
            return False
        if saving and rules[actor] == capabilities.ANSWERABLE and action == "change":
            return capabilities.may_report_figure(user, obj.indicator, obj.region, obj.unit)
        return True

    @pytest.mark.parametrize("actor", capabilities.ACTORS)
    def test_capability_matrix(self, world, client_for, actor):
        """Each of create / change / void-delete, through the pages (button offered, page
        opens) and the API (the real request), agrees with capabilities.TABLE."""
        assert capabilities.label(self.model) in capabilities.TABLE, "model missing from TABLE"
        obj = self._make(world)
        handle, user = self._matrix_user(world, actor, obj)
        client = client_for(handle)
        api = f"/api/{self.registration.app_label}/{self.registration.slug}/"
        wrong = []
        before = ChangeLog.objects.count()
        refused_all = True
        # create: the 新建 button, the create page, the API POST
        if self.registration.create is not None:
            want = self._table_says(user, actor, obj, "create")
            refused_all &= not want
            listed = client.get(self.url("list")).content.decode()
            offered = self.url("create") in listed
            page = client.get(self.url("create")).status_code
            posted = client.post(api, {}, content_type="application/json").status_code
            if offered != want or (page == 200) != want or (posted not in (403, 404)) != want:
                wrong.append(f"create: want {want}, button {offered}, page {page}, API {posted}")
        detail = client.get(self.url("detail", obj.pk))
        body = detail.content.decode() if detail.status_code == 200 else ""
        generic = any(t.name == "core/detail.html" for t in (detail.templates or []))
        # change: the 编辑 button, the edit page, the API PATCH
        want = self._table_says(user, actor, obj, "change")
        offered = self.url("edit", obj.pk) in body
        page = client.get(self.url("edit", obj.pk)).status_code
        patched = client.patch(f"{api}{obj.pk}/", {}, content_type="application/json")
        saves = self._table_says(user, actor, obj, "change", saving=True)
        if (patched.status_code not in (403, 404)) != saves:
            wrong.append(f"change: want {saves}, API PATCH {patched.status_code}")
        if offered != want and generic:
            wrong.append(f"change: want {want}, 编辑 button {offered}")
        if (page == 200) != want:
            wrong.append(f"change: want {want}, edit page {page}")
        refused_all &= not want
        # void/delete: the button, the confirm page, the API DELETE
        if self.registration.void is not None or self.registration.delete is not None:
            want = self._table_says(user, actor, obj, "delete")
            offered = self.url("remove", obj.pk) in body
            page = client.get(self.url("remove", obj.pk)).status_code
            removed = client.delete(f"{api}{obj.pk}/", {}, content_type="application/json")
            if (removed.status_code not in (403, 404)) != want:
                wrong.append(f"delete: want {want}, API DELETE {removed.status_code}")
            if offered != want and generic:
                wrong.append(f"delete: want {want}, button {offered}")
            if (page == 200) != want:
                wrong.append(f"delete: want {want}, remove page {page}")
            refused_all &= not want
        assert not wrong, f"{self.model.__name__} as {actor} ({handle}): " + "; ".join(wrong)
        if refused_all:
            assert ChangeLog.objects.count() == before, f"a refused {actor} changed something"

    def test_list_visible_to_owner_only_in_scope(self, world, client_for):
        obj = self._make(world)
        visible = self.model._default_manager.for_user(world.user(self.owner))
        assert visible.filter(pk=obj.pk).exists()
        if self.model.scope.kind != "reference":
            assert (
                not self.model._default_manager.for_user(world.user(self.other))
                .filter(pk=obj.pk)
                .exists()
            )

    def test_create_through_page_writes_change_log(self, world, client_for):
        client = client_for(self.creates_as)
        if self.registration.create is None:  # such models are made by their workflow, not a form
            assert client.get(self.url("create")).status_code == 403
            return
        before = ChangeLog.objects.filter(action="create").count()
        response = client.post(self.url("create"), self.form_data(world))
        assert response.status_code == 302, (
            getattr(response, "context", {}) and response.context["form"].errors
        )
        assert ChangeLog.objects.filter(action="create").count() == before + 1
        log = ChangeLog.objects.filter(action="create").first()
        assert log.actor == world.user(self.creates_as)
        assert log.request_id

    # -- export
    def _export(self, client, fmt) -> tuple[list[str], list[list[str]]]:
        """Download the list as ``fmt`` and read the file back: (header, data rows), as text."""
        response = client.get(self.url("list"), {"export": fmt})
        assert response.status_code == 200, f"export {fmt}: {response.status_code}"
        name = response["Content-Disposition"]
        assert name.startswith("attachment;") and name.rstrip('"').endswith(f".{fmt}"), name
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            rows = [
                ["" if v is None else str(v) for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        return rows[0], rows[1:]

    def test_export_writes_the_file_and_an_export_log(self, world, client_for):
        from .models import ExportLog

        obj = self._make(world)
        user = world.user("office_admin")
        client = client_for("office_admin")
        listed = self.registration.queryset(user)
        assert listed.filter(pk=obj.pk).exists()
        expected_rows = listed.count()
        for fmt in ("csv", "xlsx"):
            before = set(ExportLog.objects.values_list("pk", flat=True))
            header, rows = self._export(client, fmt)
            assert len(header) == len(self.registration.list_display)
            assert len(rows) == expected_rows  # the whole filtered list, not one page
            log = ExportLog.objects.exclude(pk__in=before).get()
            assert (log.user, log.format, log.rows, log.what) == (
                user,
                fmt,
                expected_rows,
                str(self.registration.verbose_name_plural),
            )

    # Personal data (``register(..., masked={field: kind})``) is masked for every reader, in
    # lists, exports and the API alike (core.generic.MaskedColumn / MaskedField); the office has
    # no unmasked view either. The tests below give the sample object a known real value per
    # masked field and read the exported files back. They exist only for models that have
    # masked fields (``__init_subclass__`` removes them elsewhere), parametrized per field.
    def _masked_in_list(self):
        return sorted(f for f in self.registration.masked if f in self.registration.list_display)

    def _masked_not_in_list(self):
        return sorted(
            f for f in self.registration.masked if f not in self.registration.list_display
        )

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is None:
            return
        if not cls()._masked_in_list():
            cls.test_export_masks_personal_data = None
        if not cls()._masked_not_in_list():
            cls.test_export_leaves_out_unlisted_personal_data = None

    def pytest_generate_tests(self, metafunc):
        if metafunc.function.__name__ == "test_export_masks_personal_data":
            metafunc.parametrize("masked_field", self._masked_in_list())
        elif metafunc.function.__name__ == "test_export_leaves_out_unlisted_personal_data":
            metafunc.parametrize("masked_field", self._masked_not_in_list())

    @property
    def export_reader(self) -> str:
        """A non-office user who sees the sample object: its owner, or the read-only auditor
        for the office's own records."""
        return "auditor" if self.owner == "office_admin" else self.owner

    def _with_personal_value(self, world, masked_field):
        """The sample object with a known real value in ``masked_field``: (obj, real, masked)."""
        obj = self._make(world)
        kind = self.registration.masked[masked_field]
        real, masked = PERSONAL_SAMPLES[kind]
        self.model._default_manager.filter(pk=obj.pk).update(**{masked_field: real})
        obj.refresh_from_db()
        assert getattr(obj, masked_field) == real
        return obj, real, masked

    def test_export_masks_personal_data(self, world, client_for, masked_field):
        from .models import ExportLog

        obj, real, masked = self._with_personal_value(world, masked_field)
        reader = world.user(self.export_reader)
        assert not reader.is_office_admin
        client = client_for(self.export_reader)
        label = field_label(self.model, masked_field)
        key = str(getattr(obj, self.registration.list_display[0]))
        for fmt in ("csv", "xlsx"):
            before = ExportLog.objects.filter(user=reader, format=fmt).count()
            header, rows = self._export(client, fmt)
            mine = [dict(zip(header, row, strict=True)) for row in rows if row[0] == key]
            assert len(mine) == 1, f"{fmt}: the sample object {key!r} is not in the export"
            assert mine[0][label] == masked, f"{fmt}: {label} is {mine[0][label]!r}"
            assert not any(real in cell for row in [header, *rows] for cell in row), (
                f"{fmt}: the real {masked_field} is in the exported file"
            )
            assert ExportLog.objects.filter(user=reader, format=fmt).count() == before + 1

    def test_export_leaves_out_unlisted_personal_data(self, world, client_for, masked_field):
        """A masked field that is not a list column is not exported at all, in any form."""
        from .models import ExportLog

        obj, real, masked = self._with_personal_value(world, masked_field)
        reader = world.user(self.export_reader)
        client = client_for(self.export_reader)
        key = str(getattr(obj, self.registration.list_display[0]))
        for fmt in ("csv", "xlsx"):
            before = ExportLog.objects.filter(user=reader, format=fmt).count()
            header, rows = self._export(client, fmt)
            assert [row[0] for row in rows].count(key) == 1, f"{fmt}: {key!r} not exported"
            assert field_label(self.model, masked_field) not in header
            assert not any(real in cell for row in [header, *rows] for cell in row), (
                f"{fmt}: the real {masked_field} is in the exported file"
            )
            assert ExportLog.objects.filter(user=reader, format=fmt).count() == before + 1


# A known real value per mask kind (personal.MASKERS) and the form every reader must see.
PERSONAL_SAMPLES = {
    "phone": ("13987654321", "139****4321"),
    "id_number": ("350102199001011234", "3501**********1234"),
    "address": ("示例市江北区幸福路88号3栋201室", "示例市****"),
    "person_name": ("欧阳建国", "欧***"),
}
