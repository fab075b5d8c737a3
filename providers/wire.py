"""Building blocks shared by the providers' lenient wire models."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from providers.errors import WireFormatError


def _to_str(value: Any) -> Any:
    # HubSpot sends some ids as JSON numbers (toObjectId); ours are always strings.
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


WireId = Annotated[str, BeforeValidator(_to_str)]


class WireModel(BaseModel):
    """Lenient: providers add fields without notice, and we ignore what we do not use."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


M = TypeVar("M", bound=WireModel)


def parse_wire(model: type[M], body: Any, *, provider: str, status: int) -> M:
    """Validate a reply body, turning a shape we cannot read into ``WireFormatError``."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise WireFormatError(
            f"{provider} reply did not have the expected shape ({exc.error_count()} problems)",
            provider=provider,
            status=status,
            body=body,
        ) from exc
