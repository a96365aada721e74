"""provenance/case.jsonld: CASE/UCO provenance of the bundle (evidence-standards.md §C.3).

The graph holds the investigation (the case), the reviewer and the tool, each exhibit as a
``uco-observable:File`` with its SHA-256, one ``InvestigativeAction`` per import (performer:
who imported, instrument: the importer, result: a ProvenanceRecord carrying the exhibit
number) and one for this export (object: the exhibits, result: a ProvenanceRecord over every
bundle file with its SHA-256). Node IRIs end with a UUID derived from their content, so the
same bundle always yields the same graph.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewer.bundle.model import Bundle

CONTEXT = {
    "kb": "urn:reviewer:kb:",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NAMESPACE = uuid.UUID("6f1c2a0e-3b7d-4f51-9a63-0c2e8d7b4a10")


def write_provenance(bundle: Bundle, path: Path, files: Sequence[tuple[str, str, int]]) -> None:
    """Write the graph; ``files`` are the bundle's other payload files (path, SHA-256, size)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(graph(bundle, files), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def graph(bundle: Bundle, files: Sequence[tuple[str, str, int]]) -> dict[str, Any]:
    builder = _Graph(bundle.case_reference)
    reviewer = builder.person(bundle.reviewer)
    tool = builder.tool("reviewer", bundle.software.split()[-1], "review and evidence export")
    exhibit_files: list[str] = []
    actions: list[str] = []
    for exhibit in bundle.exhibits:
        file_id = builder.file(
            f"exhibit {exhibit.reference}", exhibit.original_name, exhibit.sha256, exhibit.size
        )
        exhibit_files.append(file_id)
        importer_name, _, importer_version = exhibit.importer.partition(" ")
        importer = builder.tool(importer_name, importer_version or "unknown", "parser")
        record = builder.record(f"import {exhibit.reference}", exhibit.reference, [file_id])
        actions.append(
            builder.action(
                f"import {exhibit.reference}",
                "imported",
                performer=builder.person(exhibit.imported_by),
                instrument=importer,
                objects=[file_id],
                results=[record],
                time=exhibit.imported_utc,
                description=(
                    f"Exhibit {exhibit.reference} ({exhibit.original_name}) copied into the "
                    f"case and parsed with {exhibit.importer}; time zone {exhibit.timezone}."
                ),
            )
        )
    outputs = [builder.file(f"bundle {p}", p, sha, size) for p, sha, size in files]
    record = builder.record("export", bundle.case_reference, outputs, root=True)
    actions.append(
        builder.action(
            "export",
            "exported",
            performer=reviewer,
            instrument=tool,
            objects=exhibit_files,
            results=[record],
            time=bundle.created_utc,
            description=(
                f"Evidence bundle exported by {bundle.software}; audit chain head "
                f"{bundle.audit_head}; selection {json.dumps(bundle.selection, sort_keys=True)}."
            ),
            informed_by=actions[:],
        )
    )
    investigation = builder.node(
        "case-investigation:Investigation",
        f"investigation {bundle.case_reference}",
        {
            "uco-core:name": bundle.case_reference,
            "uco-core:description": bundle.case_title or bundle.case_reference,
            "case-investigation:focus": "Review of messaging exports for misconduct",
            "uco-core:object": [{"@id": i} for i in actions],
        },
    )
    nodes = builder.nodes
    nodes.insert(0, nodes.pop(nodes.index(investigation)))
    return {"@context": CONTEXT, "@graph": [n for n in nodes if isinstance(n, dict)]}


class _Graph:
    def __init__(self, case_reference: str) -> None:
        self.case = case_reference
        self.nodes: list[dict[str, Any]] = []
        self._ids: dict[str, dict[str, Any]] = {}

    def iri(self, kind: str, key: str) -> str:
        short = kind.split(":")[-1]
        return f"kb:{short}-{uuid.uuid5(_NAMESPACE, f'{self.case}|{short}|{key}')}"

    def node(self, kind: str, key: str, fields: dict[str, Any]) -> dict[str, Any]:
        iri = self.iri(kind, key)
        if iri in self._ids:
            return self._ids[iri]
        node = {"@id": iri, "@type": kind, **fields}
        self._ids[iri] = node
        self.nodes.append(node)
        return node

    def person(self, name: str) -> str:
        node = self.node("uco-identity:Person", name, {"uco-core:name": name})
        return str(node["@id"])

    def tool(self, name: str, version: str, tool_type: str) -> str:
        fields = {
            "uco-core:name": name,
            "uco-tool:version": version,
            "uco-tool:toolType": tool_type,
        }
        return str(self.node("uco-tool:Tool", f"{name} {version}", fields)["@id"])

    def file(self, key: str, name: str, sha256: str, size: int) -> str:
        file_iri = self.iri("uco-observable:File", f"{key}|{sha256}")
        facet = {
            "@id": self.iri("uco-observable:FileFacet", f"{key}|{sha256}"),
            "@type": "uco-observable:FileFacet",
            "uco-observable:fileName": name,
            "uco-observable:sizeInBytes": {"@type": "xsd:integer", "@value": str(size)},
        }
        content = {
            "@id": self.iri("uco-observable:ContentDataFacet", f"{key}|{sha256}"),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:sizeInBytes": {"@type": "xsd:integer", "@value": str(size)},
            "uco-observable:hash": [
                {
                    "@id": self.iri("uco-types:Hash", f"{key}|{sha256}"),
                    "@type": "uco-types:Hash",
                    "uco-types:hashMethod": "SHA256",
                    "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": sha256},
                }
            ],
        }
        fields = {"uco-core:hasFacet": [facet, content]}
        self.node("uco-observable:File", f"{key}|{sha256}", fields)
        return file_iri

    def record(self, key: str, exhibit: str, objects: list[str], *, root: bool = False) -> str:
        fields: dict[str, Any] = {
            "case-investigation:exhibitNumber": exhibit,
            "uco-core:object": [{"@id": i} for i in objects],
        }
        if root:
            fields["case-investigation:rootExhibitNumber"] = exhibit
        return str(self.node("case-investigation:ProvenanceRecord", key, fields)["@id"])

    def action(
        self,
        key: str,
        name: str,
        *,
        performer: str,
        instrument: str,
        objects: list[str],
        results: list[str],
        time: str,
        description: str,
        informed_by: Sequence[str] = (),
    ) -> str:
        fields: dict[str, Any] = {
            "uco-core:name": name,
            "uco-core:description": description,
            "uco-action:startTime": {"@type": "xsd:dateTime", "@value": time},
            "uco-action:endTime": {"@type": "xsd:dateTime", "@value": time},
            "uco-action:performer": {"@id": performer},
            "uco-action:instrument": {"@id": instrument},
            "uco-action:object": [{"@id": i} for i in objects],
            "uco-action:result": [{"@id": i} for i in results],
        }
        if informed_by:
            fields["case-investigation:wasInformedBy"] = [{"@id": i} for i in informed_by]
        return str(self.node("case-investigation:InvestigativeAction", key, fields)["@id"])
