from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login of the platform. Residents have none: they use household codes."""

    class Role(models.TextChoices):
        STREET = "street", _("街道办工作人员")
        COMMUNITY = "community", _("社区工作人员")
        PARTY = "party", _("外部参与方")

    class PartyKind(models.TextChoices):
        CONSULTANT = "consultant", _("专业咨询机构")
        DESIGNER = "designer", _("设计单位")
        BUILDER = "builder", _("施工单位")

    role = models.CharField(
        _("角色"), max_length=16, choices=Role.choices, default=Role.COMMUNITY
    )
    party_kind = models.CharField(
        _("参与方类型"), max_length=16, choices=PartyKind.choices, blank=True
    )
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    communities = models.ManyToManyField(
        "communities.Community",
        verbose_name=_("负责社区"),
        related_name="staff",
        blank=True,
        help_text=_("社区工作人员只能看到所负责社区的小区。"),
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="party", party_kind__gt="")
                    | (~models.Q(role="party") & models.Q(party_kind=""))
                ),
                name="user_party_kind_only_for_parties",
                violation_error_message=_(
                    "外部参与方必须填写参与方类型，其他角色不填。"
                ),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()


class LoginAttempt(AccessAttempt):
    """Failed logins as django-axes counts them: one row per username, address
    and browser. Deleting the rows behind a lockout lifts it."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        ordering = ["-attempt_time"]
