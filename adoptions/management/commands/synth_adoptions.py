from django.core.management.base import BaseCommand, CommandError

from adoptions.synth import FOCUS_ROWS, synth_adoptions


class Command(BaseCommand):
    help = (
        f"Create N synthetic rows of the 复制推广 台账 over the published practices (for benchmarks): the first city "
        f"gets {FOCUS_ROWS:,}, the other active cities share the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)

    def handle(self, *args, n, **options):
        if n < 1:
            raise CommandError("N must be at least 1.")
        created = synth_adoptions(n)
        self.stdout.write(self.style.SUCCESS(f"{created} synthetic adoption rows created."))
