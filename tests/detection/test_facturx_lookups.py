"""The Factur-X reader's tree walk must select what XPath selects, and its per-thread parser must not keep state."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from chorus_tui.sources.cii import build_cii_xml
from chorus_tui.sources.facturx import (
    NAMESPACES,
    FacturxError,
    _children,
    _first_text,
    _step,
    _thread_parser,
    parse_facturx_xml,
)

from .builders import sample_cii

TAGS = ["rsm:A", "ram:A", "ram:B", "ram:ID", "udt:B", "C"]


def clark(tag: str) -> str:
    if ":" not in tag:
        return tag
    prefix, name = tag.split(":")
    return f"{{{NAMESPACES[prefix]}}}{name}"


@st.composite
def trees(draw, depth=0):
    """Nested lists of (tag, text, children); a None tag is a processing instruction."""
    count = draw(st.integers(min_value=0, max_value=4 if depth < 3 else 0))
    nodes = []
    for _ in range(count):
        tag = draw(st.sampled_from([*TAGS, None]))
        text = draw(st.sampled_from([None, "", "  x  y ", "v"]))
        nodes.append((tag, text, draw(trees(depth=depth + 1)) if tag else []))
    return nodes


def build(parent, nodes) -> None:
    for tag, text, children in nodes:
        if tag is None:
            parent.append(etree.ProcessingInstruction("pi", "data"))
            continue
        element = etree.SubElement(parent, clark(tag))
        element.text = text
        build(element, children)


@settings(max_examples=1500, deadline=None)
@given(trees(), st.lists(st.sampled_from(TAGS), min_size=1, max_size=3))
def test_tree_walk_matches_xpath(nodes, path):
    root = etree.Element(clark("rsm:CrossIndustryInvoice"), nsmap=NAMESPACES)
    build(root, nodes)
    tree = root.getroottree()

    level = _children([root])
    for tag in path[:-1]:
        level = _step(level, clark(tag))
    walked = level.get(clark(path[-1]), [])
    selected = root.xpath("/".join(path), namespaces=NAMESPACES)

    assert [tree.getpath(element) for element in walked] == [tree.getpath(element) for element in selected]
    first = selected[0] if selected else None
    expected_text = " ".join(first.text.split()) or None if first is not None and first.text is not None else None
    assert _first_text(level, clark(path[-1])) == expected_text


def test_parser_reused_after_invalid_xml():
    xml = build_cii_xml(sample_cii(), "en16931")
    first = parse_facturx_xml(xml)
    with pytest.raises(FacturxError):
        parse_facturx_xml(b"<not xml")

    assert parse_facturx_xml(xml) == first
    assert _thread_parser() is _thread_parser()


def test_parser_per_thread():
    parsers = []
    thread = threading.Thread(target=lambda: parsers.append(_thread_parser()))
    thread.start()
    thread.join()

    assert parsers[0] is not _thread_parser()


def test_blank_text_removal_keeps_values():
    """The parser drops whitespace-only text, which must not change a value, even beside a comment."""
    xml = build_cii_xml(sample_cii(), "en16931")
    root = etree.fromstring(xml)
    for leaf in [element for element in root.iter() if len(element) == 0 and element.text]:
        value = leaf.text
        leaf.text = "\n    "
        comment = etree.Comment(" value below ")
        comment.tail = f"\n    {value}  "
        leaf.append(comment)
    spaced = etree.tostring(root, pretty_print=True)

    assert b"<!-- value below -->" in spaced
    assert parse_facturx_xml(spaced) == parse_facturx_xml(xml)
