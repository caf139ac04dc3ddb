"""Every response model alias matches a property of the Swagger response definition it reads.

A misspelt alias would silently leave a field empty (the models allow unknown keys), so each
alias of the Factures and Structures response models is looked up in AIFE's Swagger, nested
models included. The few fields known only from field reports are listed with their source.
"""

from __future__ import annotations

import types
import typing

import pytest
from pydantic import AliasChoices, BaseModel

from chorus_tui.chorus.models.base import ChorusResponse, WireModel
from chorus_tui.chorus.models.factures import (
    CompleteResult,
    FlowDepositResult,
    InvoiceDetailsResponse,
    InvoiceHistory,
    InvoicePage,
    RecycleResult,
    SubmitInvoiceResult,
)
from chorus_tui.chorus.models.structures import (
    ServiceDetails,
    ServiceSearchResponse,
    StructureDetails,
    StructureSearchResponse,
)
from tests.openapi_schema import SwaggerSchemas

RESPONSE_MODELS = [
    ("/cpro/structures/v1/rechercher", StructureSearchResponse),
    ("/cpro/structures/v1/consulter", StructureDetails),
    ("/cpro/structures/v1/rechercher/services", ServiceSearchResponse),
    ("/cpro/structures/v1/consulter/service", ServiceDetails),
    ("/cpro/factures/v1/soumettre", SubmitInvoiceResult),
    ("/cpro/factures/v1/deposer/flux", FlowDepositResult),
    ("/cpro/factures/v1/rechercher/fournisseur", InvoicePage),
    ("/cpro/factures/v1/consulter/fournisseur", InvoiceDetailsResponse),
    ("/cpro/factures/v1/consulter/historique", InvoiceHistory),
    ("/cpro/factures/v1/recycler", RecycleResult),
    ("/cpro/factures/v1/completer", CompleteResult),
    ("/cpro/factures/v1/traiterRejet", ChorusResponse),
]

# Aliases read from answers observed in the field but absent from the 2020 Swagger.
FIELD_ONLY_ALIASES = {
    # A real rechercher/services answer quoted by the OCA Odoo module carries service dates.
    ("Service", "dateDbtService"),
    ("Service", "dateFinService"),
}


def _aliases(field) -> list[str]:
    validation = field.validation_alias
    if isinstance(validation, AliasChoices):
        return [choice for choice in validation.choices if isinstance(choice, str)]
    return [field.alias or validation]


def _nested_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated):
        for argument in typing.get_args(annotation):
            found = _nested_model(argument)
            if found is not None:
                return found
    return None


def _resolve(node: dict, definitions: dict) -> dict:
    while "$ref" in node or node.get("type") == "array":
        if "$ref" in node:
            node = definitions[node["$ref"].split("/")[-1]]
        else:
            node = node.get("items", {})
    return node


def unknown_aliases(model: type[WireModel], node: dict, definitions: dict, where: str) -> list[str]:
    """Return `where.alias` for each alias of `model` (and of its nested models) missing from `node`."""
    properties = _resolve(node, definitions).get("properties", {})
    problems = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        aliases = _aliases(field)
        present = [alias for alias in aliases if alias in properties]
        if not present:
            if not any((model.__name__, alias) in FIELD_ONLY_ALIASES for alias in aliases):
                problems.append(f"{where}.{'|'.join(aliases)} ({model.__name__}.{name})")
            continue
        nested = _nested_model(field.annotation)
        if nested is not None:
            problems.extend(unknown_aliases(nested, properties[present[0]], definitions, f"{where}.{present[0]}"))
    return problems


@pytest.fixture(scope="module")
def swagger(shared_dir) -> SwaggerSchemas:
    return SwaggerSchemas.from_dir(shared_dir / "openapi")


@pytest.mark.parametrize(("operation", "model"), RESPONSE_MODELS, ids=[item[0] for item in RESPONSE_MODELS])
def test_response_aliases_exist(swagger, operation, model):
    schema = swagger.response_schema(operation, 200)
    assert schema is not None
    assert unknown_aliases(model, schema, schema["definitions"], operation) == []


def test_alias_check_catches_misspelling(swagger):
    class Misspelt(ChorusResponse):
        invoice_id: int | None = None

    Misspelt.model_fields["invoice_id"].alias = "identifiantFactureCpp"
    Misspelt.model_fields["invoice_id"].validation_alias = None
    schema = swagger.response_schema("/cpro/factures/v1/soumettre", 200)
    assert unknown_aliases(Misspelt, schema, schema["definitions"], "soumettre") == [
        "soumettre.identifiantFactureCpp (Misspelt.invoice_id)"
    ]
