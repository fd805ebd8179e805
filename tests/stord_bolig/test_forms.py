"""No form can assign fields it does not list: explicit `fields`, never "__all__" or `exclude`."""

import importlib
import inspect

from django import forms

APPS = ["stord_bolig", "cases", "allocation", "tenancies", "finance_advice", "reports"]
MODULES = [f"{app}.{module}" for app in APPS for module in ("forms", "views")]


def _model_forms():
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.ModelForm) and obj is not forms.ModelForm and obj.__module__ == name:
                yield obj


def test_model_forms__list_their_fields_explicitly():
    found = list(_model_forms())
    assert len(found) >= 6  # the assessment, health, decision, person, budget, startlån, consent forms …
    for form in found:
        fields = getattr(form._meta, "fields", None)
        assert fields not in (None, "__all__"), form
        assert not getattr(form._meta, "exclude", None), form
