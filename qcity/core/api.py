"""REST endpoints for every registered model: the same scopes, filter sets and services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status, viewsets
from rest_framework.response import Response

from .capabilities import DELETE
from .generic import filterset_for, serializer_for
from .registry import REGISTRY
from .scopes import CHANGE, can


def viewset_for(registration):
    class RegisteredViewSet(viewsets.ModelViewSet):
        serializer_class = serializer_for(registration)
        filterset_class = filterset_for(registration)
        ordering_fields = registration.list_display

        def get_queryset(self):
            return registration.queryset(self.request.user, "view")

        def get_object(self):
            obj = super().get_object()
            action = DELETE if self.request.method == "DELETE" else CHANGE
            if self.request.method not in ("GET", "HEAD", "OPTIONS") and not can(
                self.request.user, obj, action
            ):
                raise exceptions.PermissionDenied(_("您无权修改该记录"))
            return obj

        def _data(self, serializer):
            return {k: v for k, v in serializer.validated_data.items() if k in registration.fields}

        def create(self, request, *args, **kwargs):
            from .views import _may_create

            if registration.create is None or not _may_create(request.user, registration):
                raise exceptions.PermissionDenied(_("您无权新建该类记录"))
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            obj = registration.create(self._data(serializer), request.user)
            return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)

        def update(self, request, *args, **kwargs):
            partial = kwargs.pop("partial", False)
            obj = self.get_object()
            serializer = self.get_serializer(obj, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            obj = registration.update(
                obj, self._data(serializer), request.user, request.headers.get("If-Match")
            )
            return Response(self.get_serializer(obj).data)

        def destroy(self, request, *args, **kwargs):
            obj = self.get_object()
            if registration.void is not None:
                reason = request.data.get("reason") if hasattr(request, "data") else ""
                registration.void(obj, reason or "", request.user)
                return Response(self.get_serializer(obj).data)
            if registration.delete is None:
                raise exceptions.PermissionDenied(_("该类记录不能删除"))
            registration.delete(obj, request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)

    RegisteredViewSet.__name__ = f"{registration.model.__name__}ViewSet"
    RegisteredViewSet.__doc__ = str(registration.verbose_name_plural)
    return RegisteredViewSet


def register_api(router):
    for registration in REGISTRY.values():
        router.register(
            f"{registration.app_label}/{registration.slug}",
            viewset_for(registration),
            basename=f"{registration.app_label}-{registration.model_name}",
        )
