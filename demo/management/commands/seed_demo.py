from django.core.management.base import BaseCommand, CommandError

from demo.logins import reset_demo_passwords
from demo.seed import MAX_PATIENTS, DemoDataExists, clinic_data_exists, seed_demo

RESET_HINT = "python manage.py seed_demo --reset-passwords"


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
            help="seed only an empty database; otherwise change nothing",
        )
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="where the system is served, for the login link printed (default http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give the demo logins new random passwords and print them; nothing else changes",
        )

    def handle(self, *args, patients, seed, flush, if_empty, reset_passwords, site, **options):
        if reset_passwords:
            logins = reset_demo_passwords()
            if not logins:
                raise CommandError("There are no demo logins; run seed_demo first.")
            self.print_logins(logins, site)
            return
        count = whole_number("--patients", patients)
        seed = whole_number("--seed", seed)
        if not 1 <= count <= MAX_PATIENTS:
            raise CommandError(f"--patients must be from 1 to {MAX_PATIENTS}, not {count}.")
        if if_empty and not flush and clinic_data_exists():
            self.stdout.write("Demo data is already there; nothing was seeded.")
            self.stdout.write(
                "The demo logins' passwords were printed when they were seeded (they are random and not kept);"
                f" for new ones: {RESET_HINT}"
            )
            return
        try:
            result = seed_demo(patients=count, seed=seed, flush=flush)
        except DemoDataExists:
            raise CommandError("Clinic data or demo logins already exist; run with --flush to replace them.") from None
        for kind, number in result.counts.items():
            self.stdout.write(f"{kind:>22}: {number}")
        self.print_logins(result.logins, site)

    def print_logins(self, logins, site):
        """Printed once: the passwords are random and only their hashes are kept."""
        self.stdout.write("\nDemo logins (the passwords are shown only now; new ones: " + RESET_HINT + "):")
        self.stdout.write(f"  {'username':<10} {'password':<20} role")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<10} {password:<20} {role}")
        self.stdout.write(f"\nLog in at {site.rstrip('/')}/accounts/login/")
