"""Every bound an import runs under, in one place (README, "Bring your own question bank").

An uploaded bank is hostile until read: a few kilobytes of .xlsx or .docx can inflate to
gigabytes, and a few kilobytes of text can keep a regular expression busy for hours. The
parsers stop at these bounds and report a problem; the child process that runs every import
(`isolated.py`) is the backstop for anything the bounds miss.
"""
from __future__ import annotations

MB = 1024 * 1024

# What is read at all.
MAX_FILE_BYTES = 20 * MB          # `flask content import`; the web upload has TUTOR_IMPORT_MAX_BYTES
MAX_ITEMS = 5_000                 # questions (or GIFT/XML items) in one file
MAX_LINES = 200_000               # lines of a .txt file, paragraph lines of a .docx
MAX_ROWS = 20_000                 # Excel rows read after the header row, empty ones included
MAX_COLUMNS = 64                  # Excel columns searched for the header row
MAX_XML_ELEMENTS = 400_000        # elements of a Moodle XML file (a question has 10 to 40)
MAX_LISTED = 500                  # problems (and, separately, warnings) listed; the rest are counted
MAX_PICTURE_BYTES = 2 * MB        # one picture an import carries (GIFT/XML); larger ones are listed, not carried

# Zip containers (.xlsx, .docx): checked before any library opens them.
ZIP_MAX_ENTRIES = 1_000
ZIP_MAX_ENTRY_BYTES = 50 * MB     # one entry, decompressed, as declared and as actually inflated
ZIP_MAX_TOTAL_BYTES = 100 * MB    # all entries together, decompressed

# The child process every import runs in.
CHILD_MEMORY_BYTES = 300 * MB     # address space (RLIMIT_AS): resident memory can never pass it
CHILD_CPU_SECONDS = 5             # RLIMIT_CPU
CHILD_WALL_SECONDS = 5.0          # killed after this, whatever it is doing


def too_many(what: str, limit: int) -> str:
    """The problem told when a file passes a count bound (the reading stops there)."""
    return f"文件过大：{what}超过 {limit:,} 个，只读取了前 {limit:,} 个；请把文件拆成几个较小的文件分别导入"
