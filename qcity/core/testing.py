"""Generic tests every registered model inherits (PATTERNS.md 9, 10).

A model's test subclass supplies data only: ``model``, ``make(world)`` (an object owned by the
``owner`` role's unit, created through services), ``form_data(world)`` for a valid create, and
the role handles. The base class walks the role × URL matrix over the model's pages and API
endpoints, checks that a denial changed nothing, and that allowed changes write the change log.
A meta-test fails when a registered model has no subclass.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from . import audit
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
        if role == "owner":
            return 200
        return 404

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
        for name, action in (("detail", "view"), ("edit", "change"), ("remove", "change")):
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
        assert api.status_code == (403 if want == "login" else want), (
            f"{role} API detail {api.status_code}"
        )
        if self.expected(role, "change") != 200:
            api_change = client.patch(
                f"/api/{self.registration.app_label}/{self.registration.slug}/{obj.pk}/",
                {},
                content_type="application/json",
            )
            assert api_change.status_code in (403, 404)
            assert ChangeLog.objects.count() == before, (
                f"a refused change by {role} wrote something"
            )

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

    def test_export_masks_and_logs(self, world, client_for):
        from .models import ExportLog

        self._make(world)
        client = client_for("office_admin")
        for fmt in ("csv", "xlsx"):
            response = client.get(self.url("list"), {"export": fmt})
            assert response.status_code == 200
            assert ExportLog.objects.filter(user=world.user("office_admin"), format=fmt).exists()
