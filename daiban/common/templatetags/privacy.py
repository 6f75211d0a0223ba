from django import template

from daiban.common.privacy import mask_mobile, mask_resident_id

register = template.Library()
register.filter("mask_mobile", mask_mobile)
register.filter("mask_resident_id", mask_resident_id)
