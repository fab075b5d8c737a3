"""An integration's ``config``: Heron's CrmConfig (field mappings, value mappings, object configs).

Validated strictly so a typo is an error at registration, not a silent no-op at sync time.
Shape from ../shared/specs/heron (CrmConfig, CrmObjectConfig, CrmFieldMapping, ...).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CrmObjectId(_Strict):
    external_name: str = Field(min_length=1)
    alias: str | None = None


class CrmFieldMapping(_Strict):
    field_name: str = Field(min_length=1)
    external_lookup_field_name: str | None = None
    external_object_name_for_id: str | None = None
    heron_company_attribute_label: str | None = None
    max_length: int | None = Field(default=None, ge=1)
    overwrite_on_update: bool = True
    regex_remove: str | None = None
    required: bool = False
    static_value: str | None = None
    static_value_key: Literal["date_today"] | None = None
    value_mapping_name: str | None = None
    value_type: str | None = None

    @field_validator("regex_remove")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"regex_remove is not a valid pattern: {exc}") from exc
        return value


class CrmStaticData(_Strict):
    key: str = Field(min_length=1)
    value: Any


class CrmExternalLookupConfig(_Strict):
    external_lookup_fields_and: list[str] = []
    external_lookup_fields_or: list[str] = []
    sort_field_name: str = "CreatedDate"
    sort_order: Literal["ASC", "DESC"] | None = None


class CrmObjectConfig(_Strict):
    key: str = Field(min_length=1)
    external_name: str = Field(min_length=1)
    description: str | None = None
    external_lookup_config: CrmExternalLookupConfig | None = None
    field_mappings: list[CrmFieldMapping] = []
    is_optional: bool = False
    required_ids: list[CrmObjectId] = []
    static_data: list[CrmStaticData] = []


class CrmValueMapping(_Strict):
    name: str = Field(min_length=1)
    mapping: dict[str, Any]
    default_value: str | None = None
    description: str | None = None
    use_partial_match: bool = False


class CrmPolicyEvaluationConfig(_Strict):
    external_object_name: str = Field(min_length=1)
    failure_reason_external_name: str | None = None
    result_external_name: str | None = None


class CrmConfig(_Strict):
    child_file_filtering_enabled: bool = True
    data_source_accounts_config: CrmObjectConfig | None = None
    default_id: CrmObjectId | None = None
    download_legacy_attachments: bool = False
    object_configs: list[CrmObjectConfig] = []
    policy_evaluation_config: CrmPolicyEvaluationConfig | None = None
    small_file_filtering_enabled: bool = False
    sync_file_classes: dict[str, Any] = {}
    value_mappings: list[CrmValueMapping] = []

    @model_validator(mode="after")
    def _mapping_names_resolve(self) -> CrmConfig:
        names = {m.name for m in self.value_mappings}
        configs = [*self.object_configs]
        if self.data_source_accounts_config:
            configs.append(self.data_source_accounts_config)
        for config in configs:
            for field in config.field_mappings:
                if field.value_mapping_name and field.value_mapping_name not in names:
                    raise ValueError(
                        f"field {field.field_name!r} of {config.key!r} names value mapping "
                        f"{field.value_mapping_name!r}, which value_mappings does not define"
                    )
        keys = [c.key for c in self.object_configs]
        if len(keys) != len(set(keys)):
            raise ValueError("object_configs keys must be unique")
        return self

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)
