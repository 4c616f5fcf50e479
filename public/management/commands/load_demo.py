from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from practices.models import City
from practices.notifications import without_email
from public.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Create what is missing of the shipped cities, indicators and criteria, the demo users (password demo) "
        "and demo practices. Safe to run again. Refused when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (creates users whose password is demo)."
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("DEBUG 已关闭：演示数据会创建密码为 demo 的账号，不能装入生产环境。确需装入请加 --force。")
            )
        with without_email():
            created = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "演示数据已就绪（新建基础数据 %(reference)d 条、用户 %(users)d 个、经验做法 %(practices)d 项、"
                    "已发布批次 %(batches)d 个、复制推广填报 %(adoptions)d 条）。"
                )
                % created
            )
        )
        cities = City.objects.in_bulk([spec.city_code for spec in DEMO_USERS if spec.city_code], field_name="code")
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
        for spec in DEMO_USERS:
            role = spec.role.label if spec.role else _("系统管理员")
            city = f"，{cities[spec.city_code].name}" if spec.city_code else ""
            self.stdout.write(f"  {spec.username:<14} {spec.display_name}（{role}{city}）")
