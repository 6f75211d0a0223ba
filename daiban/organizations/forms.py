"""Form pieces for choosing people."""

from django import forms

from .models import User


class PersonChoiceField(forms.ModelChoiceField[User]):
    """A choice of people, each shown by name (`User.display_name`) rather than by login."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name
