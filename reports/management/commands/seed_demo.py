from django.core.management.base import BaseCommand, CommandError

from reports.demo import MAX_PATIENTS, DemoDataExists, clinic_data_exists, demo_logins, seed_demo


def whole_number(option, value):
    try:
        return int(str(value).strip())
    except ValueError:
        raise CommandError(f"{option} must be a whole number, not {value!r}.") from None


class Command(BaseCommand):
    help = "Fill the database with realistic, reproducible demo data and one demo login per role."

    def add_arguments(self, parser):
        parser.add_argument("--patients", default="300", help=f"how many patients, 1 to {MAX_PATIENTS} (default 300)")
        parser.add_argument("--seed", default="42", help="random seed: the same seed gives the same data (default 42)")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete patients, visits, feedback and campaigns, and reset the demo logins",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only an empty database; otherwise just print the demo logins of --seed",
        )

    def handle(self, *args, patients, seed, flush, if_empty, **options):
        count = whole_number("--patients", patients)
        seed = whole_number("--seed", seed)
        if not 1 <= count <= MAX_PATIENTS:
            raise CommandError(f"--patients must be from 1 to {MAX_PATIENTS}, not {count}.")
        if if_empty and not flush and clinic_data_exists():
            self.stdout.write("Demo data is already there; nothing was seeded.")
            self.print_logins(demo_logins(seed))
            return
        try:
            result = seed_demo(patients=count, seed=seed, flush=flush)
        except DemoDataExists:
            raise CommandError("Clinic data or demo logins already exist; run with --flush to replace them.") from None
        for kind, number in result.counts.items():
            self.stdout.write(f"{kind:>22}: {number}")
        self.print_logins(result.logins)

    def print_logins(self, logins):
        self.stdout.write("\nDemo logins:")
        self.stdout.write(f"  {'username':<10} {'password':<20} role")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
        self.stdout.write("\nLog in at http://127.0.0.1:8000/accounts/login/")
