"""Products, orders and the sales funnel: deals, stage changes, follow-ups, targets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from crm.models.enums import DealStage

if TYPE_CHECKING:
    from crm.models.people import Customer, StaffMember


class Product(Model):
    """Something the business sells."""

    id = fields.IntField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255, default="")
    category = fields.CharField(max_length=128, null=True)
    price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "product"
        indexes = (("category",),)


class Order(Model):
    """A customer's order."""

    id = fields.IntField(primary_key=True)
    external_ref = fields.CharField(max_length=64, null=True, unique=True)  # the file's order no.
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="orders", on_delete=fields.CASCADE
    )
    ordered_at = fields.DatetimeField()
    status = fields.CharField(max_length=32, default="completed")
    total = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    lines: fields.ReverseRelation[OrderLine]

    class Meta:
        table = "orders"  # "order" is an SQL keyword
        indexes = (("customer_id", "ordered_at"), ("ordered_at",))


class OrderLine(Model):
    """One product on an order."""

    id = fields.IntField(primary_key=True)
    order: fields.ForeignKeyRelation[Order] = fields.ForeignKeyField(
        "crm.Order", related_name="lines", on_delete=fields.CASCADE
    )
    product: fields.ForeignKeyNullableRelation[Product] = fields.ForeignKeyField(
        "crm.Product", related_name="order_lines", null=True, on_delete=fields.SET_NULL
    )
    product_name = fields.CharField(max_length=255, default="")
    quantity = fields.IntField(default=1)
    price = fields.DecimalField(max_digits=12, decimal_places=2, null=True)
    total = fields.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        table = "order_line"
        indexes = (("product_id",),)


class Deal(Model):
    """A sales opportunity moving through the funnel."""

    id = fields.IntField(primary_key=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="deals", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=255)
    value = fields.DecimalField(max_digits=14, decimal_places=2, default=0)
    owner: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="deals", null=True, on_delete=fields.SET_NULL
    )
    stage = fields.CharEnumField(DealStage, max_length=16, default=DealStage.LEAD)
    expected_close = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deal"
        indexes = (("owner_id", "stage"), ("stage", "closed_at"))


class DealStageChange(Model):
    """One move of a deal between funnel stages, for time-in-stage and conversion."""

    id = fields.IntField(primary_key=True)
    deal: fields.ForeignKeyRelation[Deal] = fields.ForeignKeyField(
        "crm.Deal", related_name="stage_changes", on_delete=fields.CASCADE
    )
    from_stage = fields.CharEnumField(DealStage, max_length=16, null=True)
    to_stage = fields.CharEnumField(DealStage, max_length=16)
    changed_at = fields.DatetimeField(auto_now_add=True)
    changed_by: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="stage_changes", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "deal_stage_change"
        indexes = (("deal_id", "changed_at"),)


class FollowUpTask(Model):
    """A follow-up: call back, send a quote, on a deal or a customer, by a date."""

    id = fields.IntField(primary_key=True)
    deal: fields.ForeignKeyNullableRelation[Deal] = fields.ForeignKeyField(
        "crm.Deal", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyNullableRelation[Customer] = fields.ForeignKeyField(
        "crm.Customer", related_name="tasks", null=True, on_delete=fields.CASCADE
    )
    owner: fields.ForeignKeyNullableRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    due = fields.DateField()
    text = fields.TextField()
    done = fields.BooleanField(default=False)
    done_at = fields.DatetimeField(null=True)
    reminded_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "task"
        indexes = (("owner_id", "done", "due"),)


class SalesTarget(Model):
    """How much an owner should win in a month."""

    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[StaffMember] = fields.ForeignKeyField(
        "crm.StaffMember", related_name="targets", on_delete=fields.CASCADE
    )
    month = fields.DateField()  # the first day of the month
    amount = fields.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        table = "sales_target"
        unique_together = (("owner_id", "month"),)
