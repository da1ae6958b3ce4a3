"""The list document: one home for the Markdown list format.

Sections (`section`), entries and their links (`entries`), the "(N)" count and
headings (`lines`), the stamp (`stamp`), the entry template (`template`), the
edits (`edit`), and the parsed document the pipeline steps share (`document`).
A new list dialect is a change here and nowhere else.
"""
