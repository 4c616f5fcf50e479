from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from practices.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from practices.models import City


class Command(BaseCommand):
    help = "Load the shipped cities, indicators and criteria, the demo users and demo practices. Safe to run again."

    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            self.style.SUCCESS(_("演示数据已就绪（新建用户 %(users)d 个、经验做法 %(practices)d 项）。") % created)
        )
        cities = City.objects.in_bulk([spec.city_code for spec in DEMO_USERS if spec.city_code], field_name="code")
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
        for spec in DEMO_USERS:
            role = spec.role.label if spec.role else _("系统管理员")
            city = f"，{cities[spec.city_code].name}" if spec.city_code else ""
            self.stdout.write(f"  {spec.username:<14} {spec.display_name}（{role}{city}）")
