"""Rendering the controlled-vocabulary parts of a query: subject headings (mapped between
thesauri), their qualifiers, floating subheadings, and publication types.

Each engine spells a MeSH qualifier its own way (PubMed by name, Ovid MEDLINE and Cochrane by
two-letter code, Embase with Emtree's own subheadings, CINAHL with the codes its list shares
with MeSH); where the target has no equivalent the heading is searched without the qualifier
and a warning names the qualifier (the search gets wider, never silently narrower).
"""

from __future__ import annotations

from evidens.search.ast import Heading, Term
from evidens.search.engines import Engine, publication_type
from evidens.search.registers import natural_order
from evidens.search.vocabulary import (
    HeadingMap,
    cinahl_has_subheading,
    emtree_link,
    qualifier_code,
    vocabulary_label,
)

# MeSH qualifiers with narrower qualifiers under them in the qualifier tree: PubMed's [sh]
# includes those, an engine's floating-subheading search may not.
PARENT_QUALIFIERS = frozenset(
    {
        "therapy",
        "diagnosis",
        "pharmacology",
        "physiology",
        "chemistry",
        "metabolism",
        "anatomy & histology",
        "etiology",
        "organization & administration",
        "microbiology",
        "statistics & numerical data",
    }
)


class VocabularyRenderer:
    """Mixin of :class:`~evidens.search.render.Renderer` for headings, qualifiers, floating
    subheadings and publication types."""

    engine: Engine
    headings: HeadingMap

    def warn(self, message: str, part: str | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def term(self, term: Term, *, bare: bool = False, nested: bool = False) -> str:
        raise NotImplementedError  # pragma: no cover

    def heading(self, heading: Heading, *, nested: bool = False) -> str:
        engine = self.engine
        name = vocabulary_label(heading.vocabulary)
        if engine.vocabulary is None or not engine.heading:
            extra = (
                " (restricted to major topic in the source: lost)" if heading.major else ""
            ) + (
                f" (qualifiers {', '.join(heading.qualifiers)}: lost)" if heading.qualifiers else ""
            )
            words = natural_order(heading.term)
            self.warn(
                f"has no subject headings: {name} {heading.term!r} searched as the words "
                f"{words!r}{extra}"
            )
            return self.free_text(words)
        term = heading.term
        if engine.vocabulary not in ("any", heading.vocabulary):
            mapped = self.headings.lookup(term, heading.vocabulary, engine.vocabulary)
            target = vocabulary_label(engine.vocabulary)
            if mapped is None:
                self.warn(
                    f"{name} heading {term!r} has no {target} equivalent in evidens' "
                    f"table: copied unchanged; check it in {target} (or add it to a "
                    "heading map file)"
                )
            else:
                term = mapped
        key = ("major" if heading.major else "") + ("" if heading.explode else "_noexp")
        key = key.strip("_") or "explode"
        if key not in engine.heading and heading.major:
            self.warn(f"cannot restrict a heading to major topic: {term!r} searched as any heading")
            key = "explode" if heading.explode else "noexp"
        if key.startswith("explode") and "explode" in engine.heading_notes:
            self.warn(engine.heading_notes["explode"])
        text = self.qualified(engine.heading[key], term, heading.qualifiers)
        return f"({text})" if nested and " OR " in text else text

    def qualified(self, template: str, term: str, qualifiers: tuple[str, ...]) -> str:
        """The heading with its qualifiers, in the engine's spelling."""
        style = self.engine.qualifier_style
        plain = template.replace("{x}", term).replace("{q}", "")
        if not qualifiers:
            return plain
        if style in ("emtree", "emtree-ovid"):
            return self.emtree_qualified(plain, term, qualifiers, ovid=style == "emtree-ovid")
        if style == "cinahl":
            return self.cinahl_qualified(plain, term, qualifiers)
        codes = [qualifier_code(q) or "" for q in qualifiers]
        spelled = {
            # PubMed writes the name inside the heading's quotes
            "name": lambda: _any([template.replace("{x}", f"{term}/{q}") for q in qualifiers]),
            # Ovid MEDLINE appends comma-separated codes after the slash
            "code": lambda: plain + ",".join(codes),
            # Cochrane Library puts an upper-case code after the heading
            "cochrane": lambda: _any(
                [template.replace("{x}", term).replace("{q}", f"/{c.upper()}") for c in codes]
            ),
        }
        if style in spelled:
            return spelled[style]()
        self.warn(
            f"cannot limit a heading to subheadings: {term!r} searched with all of "
            f"them, not only {', '.join(qualifiers)} (wider)"
        )
        return plain

    def emtree_qualified(
        self, plain: str, term: str, qualifiers: tuple[str, ...], *, ovid: bool
    ) -> str:
        """Embase.com ``'epilepsy'/exp/dm_dt`` (Embase.com help, "Disease subheadings":
        command-line syntax); Embase on Ovid ``exp epilepsy/dt``."""
        codes: list[str] = []
        missing: list[str] = []
        for qualifier in qualifiers:
            link = emtree_link(qualifier)
            if link is None:
                missing.append(qualifier)
            else:
                codes.extend(link.ovid if ovid else link.embase_com)
        if missing:
            self.warn(
                f"Emtree has no subheading for the MeSH qualifier(s) {', '.join(missing)}: "
                f"{term!r} searched without {'them' if len(missing) > 1 else 'it'} (wider)"
            )
        codes = list(dict.fromkeys(codes))
        if not codes:
            return plain
        if ovid:
            return plain + ",".join(codes)
        # Embase.com command line: 'x'/dm_dt, 'x'/exp/dm_dt,dm_rt (OR), 'x'/exp/dm_rt/mj.
        major = plain.endswith("/mj")
        base = plain[:-3] if major else plain
        base = base[:-3] if base.endswith("/de") else base
        return f"{base}/{','.join(codes)}" + ("/mj" if major else "")

    def cinahl_qualified(self, plain: str, term: str, qualifiers: tuple[str, ...]) -> str:
        """CINAHL ``(MH "Epilepsy+/DT")``: the code goes inside the quotes."""
        kept = [q for q in qualifiers if cinahl_has_subheading(q)]
        missing = [q for q in qualifiers if q not in kept]
        if missing:
            self.warn(
                f"CINAHL has no subheading for the MeSH qualifier(s) {', '.join(missing)}: "
                f"{term!r} searched without {'them' if len(missing) > 1 else 'it'} (wider)"
            )
        if not kept:
            return plain
        head, tail = plain[:-2], plain[-2:]  # tail is '")'
        return _any([f"{head}/{(qualifier_code(q) or '').upper()}{tail}" for q in kept])

    def subheading(self, term: Term, *, nested: bool = False) -> str:
        """A floating subheading (``"drug therapy"[sh]``, ``dt.fs.``, ``[mh /DT]``)."""
        spec = self.engine.subheading
        name = term.text
        if not spec:
            self.warn(
                f"has no floating subheadings: the qualifier {name!r} searched as words "
                "(wider and noisier)"
            )
            return self.free_text(name)
        template = spec["fs" if term.field == "fs" else "sh"]
        if "note" in spec:
            self.warn(spec["note"])
        form = spec["form"]
        if term.field == "sh" and name in PARENT_QUALIFIERS and spec["sh"] == spec["fs"]:
            self.warn(
                f"searches the qualifier {name!r} itself: the narrower qualifiers the source's "
                "exploded subheading included are not searched (add them)"
            )
        if form in ("emtree", "emtree-ovid"):
            link = emtree_link(name)
            if link is None:
                self.warn(
                    f"Emtree has no subheading for the MeSH qualifier {name!r}: searched as "
                    "words (wider and noisier)"
                )
                return self.free_text(name)
            values = list(link.names if form == "emtree" else link.ovid)
        else:
            code = qualifier_code(name) or name
            values = [name if form == "name" else code.upper() if form == "CODE" else code]
        quote = "" if "'{x}'" in template else self.engine.quote or '"'
        text = _any(
            [
                template.replace("{x}", f"{quote}{v}{quote}" if " " in v else v)
                for v in dict.fromkeys(values)
            ]
        )
        return f"({text})" if nested and " OR " in text else text

    def publication_type(self, term: Term, *, nested: bool = False) -> str:
        """A publication type in the values the engine documents (see ``pubtypes.json``)."""
        engine = self.engine
        row = publication_type(term.text, engine.name)
        if row is not None:
            text, note = row
            if note:
                self.warn(note)
            return f"({text})" if nested and " OR " in text else text
        if engine.pubtypes in ("open", "cinahl") and "pt" in engine.fields:
            if engine.pubtypes == "cinahl":
                self.warn(f"check that {term.text!r} is one of CINAHL's publication types")
            return engine.fields["pt"].replace("{x}", self.term(term, bare=True))
        self.warn(
            f"{term.text!r} is not a publication type {engine.label} documents: "
            "searched as words instead (check the hits)"
        )
        return self.free_text(term.text)

    def free_text(self, text: str) -> str:
        """Words standing in for a heading, qualifier or publication type the engine lacks:
        searched in title, abstract and keywords where the engine has that field."""
        field = "tiabkw" if "tiabkw" in self.engine.fields else None
        if field is None and self.engine.default:
            return self.engine.default.replace("{x}", self.term(Term(text, quoted=True), bare=True))
        return self.term(Term(text, field, quoted=True), bare=field is None)


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
