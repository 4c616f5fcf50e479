from django.core.management.base import BaseCommand, CommandError

from batches.synth import synth_practices


class Command(BaseCommand):
    help = "Create N synthetic published practices (for benchmarks), recombined from the seed's sentences."

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)

    def handle(self, *args, n, **options):
        if n < 1:
            raise CommandError("N must be at least 1.")
        created = synth_practices(n)
        self.stdout.write(self.style.SUCCESS(f"{created} synthetic practices published."))
