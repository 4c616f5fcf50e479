"""Renders one PDF in a child process (batches/pdf.py starts it): HTML on standard input, the PDF on standard
output, exit 3 when it would run past --max-pages. Needs WeasyPrint only, not Django: whatever the text layout
library does with an input (it has crashed a whole process on a machine without fonts), it does it here."""

import argparse
import resource
import sys

TOO_LONG = 3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--max-memory-mb", type=int, required=True)
    args = parser.parse_args()
    limit = args.max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from weasyprint import HTML

    document = HTML(string=sys.stdin.buffer.read().decode("utf-8")).render()
    if len(document.pages) > args.max_pages:
        sys.exit(TOO_LONG)
    sys.stdout.buffer.write(document.write_pdf())


if __name__ == "__main__":
    main()
