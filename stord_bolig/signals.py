"""Audit receivers: logins, logouts, failed logins and lockouts go to the access log."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .access import access_log_write
from .models import AccessLog


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session["auth_started"] = int(time.time())
        request.session["auth_last_seen"] = int(time.time())
    access_log_write(request, action=AccessLog.Action.LOGIN, user=user)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        access_log_write(request, action=AccessLog.Action.LOGOUT, user=user)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    access_log_write(request, action=AccessLog.Action.LOGIN_FAILED, username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _on_lockout(sender, request, username, ip_address, **kwargs):
    access_log_write(request, action=AccessLog.Action.LOCKOUT, username=str(username or ""))


@receiver(post_migrate)
def _sync_roles(sender, **kwargs):
    # Permissions of later apps exist only after their migrations; keep groups in step each time.
    if sender.name == "reports":  # the last app: every permission exists by then
        from .roles import sync_roles

        sync_roles()


# --- the authorisation cache: forget a user's roles and permissions the moment they change -------------


def _users_in_groups(group_ids):
    from .models import User

    return User.objects.filter(groups__in=group_ids).only("pk", "date_joined").distinct()


def _users_with_permissions(permission_ids):
    from django.db.models import Q

    from .models import User

    return (
        User.objects.filter(Q(user_permissions__in=permission_ids) | Q(groups__permissions__in=permission_ids))
        .only("pk", "date_joined")
        .distinct()
    )


def _user_side_receiver(lookup: str):
    """For User.groups or User.user_permissions: changed from the user's side (user.groups.add(…)) or from
    the other side (group.user_set.add(user ids), group.user_set.clear())."""

    def receiver(sender, instance, action, pk_set, **kwargs):
        from .authz_cache import forget
        from .models import User

        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if isinstance(instance, User):
            forget([instance])
        elif action == "pre_clear":
            forget(User.objects.filter(**{lookup: instance}).only("pk", "date_joined"))
        else:
            forget(User.objects.filter(pk__in=pk_set).only("pk", "date_joined"))

    return receiver


def _connect_authz_receivers():
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from .authz_cache import forget
    from .models import User

    user_groups_changed = _user_side_receiver("groups")
    user_permissions_changed = _user_side_receiver("user_permissions")

    def group_permissions_changed(sender, instance, action, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if isinstance(instance, Group):  # group.permissions.add(permission ids)
            forget(_users_in_groups([instance.pk]))
        elif action == "pre_clear":  # permission.group_set.clear()
            forget(_users_with_permissions([instance.pk]))
        else:  # permission.group_set.add(group ids)
            forget(_users_in_groups(pk_set))

    def user_saved_or_deleted(sender, instance, **kwargs):
        forget([instance])

    def group_saved_or_deleting(sender, instance, **kwargs):  # a role's name is what user.roles holds
        forget(_users_in_groups([instance.pk]))

    def permission_deleting(sender, instance, **kwargs):
        forget(_users_with_permissions([instance.pk]))

    m2m_changed.connect(user_groups_changed, sender=User.groups.through, dispatch_uid="authz-user-groups", weak=False)
    m2m_changed.connect(
        user_permissions_changed,
        sender=User.user_permissions.through,
        dispatch_uid="authz-user-permissions",
        weak=False,  # the receivers are local functions: nothing else keeps them alive
    )
    m2m_changed.connect(
        group_permissions_changed, sender=Group.permissions.through, dispatch_uid="authz-group-permissions", weak=False
    )
    post_save.connect(user_saved_or_deleted, sender=User, dispatch_uid="authz-user-saved", weak=False)
    post_delete.connect(user_saved_or_deleted, sender=User, dispatch_uid="authz-user-deleted", weak=False)
    post_save.connect(group_saved_or_deleting, sender=Group, dispatch_uid="authz-group-saved", weak=False)
    pre_delete.connect(group_saved_or_deleting, sender=Group, dispatch_uid="authz-group-deleting", weak=False)
    pre_delete.connect(permission_deleting, sender=Permission, dispatch_uid="authz-permission-deleting", weak=False)


_connect_authz_receivers()
