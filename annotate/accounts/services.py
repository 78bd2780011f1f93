from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction


def user_create(*, username: str, password: str, first_name: str = "", last_name: str = "", email: str = ""):
    """Create a login. The password must pass Django's validators (settings.AUTH_PASSWORD_VALIDATORS)."""
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, user=user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
    return user
