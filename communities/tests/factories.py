import factory
from factory.django import DjangoModelFactory

from baitang.models import User
from communities.models import Community


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")
    role = User.Role.STREET
    is_staff = True


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试{n}社区")
