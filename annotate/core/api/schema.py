"""OpenAPI naming for the HackSoft pattern of nested ``InputSerializer``/``OutputSerializer`` classes:
``ProjectListApi.InputSerializer`` becomes the component ``ProjectListInput`` instead of a clashing
``Input``."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        qualname = (
            type(serializer).__qualname__ if not isinstance(serializer, type) else serializer.__qualname__
        )
        if "." in qualname and "<locals>" not in qualname:
            outer, inner = qualname.split(".")[-2:]
            prefix = outer.removesuffix("Api")
            inner = inner.removesuffix("Serializer")
            if name.startswith("Patched"):
                return f"Patched{prefix}{inner}"
            return f"{prefix}{inner}"
        return name
