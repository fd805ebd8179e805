"""Every stored field is classified (personal, special category, staff, none) with a retention rule."""

from django.apps import apps

from stord_bolig.privacy import CLASSES, REGISTER, classification

APPS = ["stord_bolig", "cases", "allocation", "tenancies", "finance_advice", "reports"]


def _our_models():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if hasattr(model, "pgh_obj"):
                continue  # history rows inherit the class of the model they copy
            yield model


def test_privacy__every_model_is_in_the_register():
    labels = {model._meta.label for model in _our_models()}
    assert labels <= set(REGISTER), sorted(labels - set(REGISTER))
    assert set(REGISTER) <= labels, sorted(set(REGISTER) - labels)  # no stale entries


def test_privacy__every_field_has_a_known_class_and_a_retention():
    for model in _our_models():
        retention, _fields = REGISTER[model._meta.label]
        assert retention
        for field in model._meta.concrete_fields:
            assert classification(model._meta.label, field.name) in CLASSES, (model._meta.label, field.name)


def test_privacy__health_and_identity_are_classified_as_they_must_be():
    assert classification("cases.HealthAssessment", "notes") == "special"
    assert classification("cases.HealthAssessment", "substance_use") == "special"
    assert classification("cases.Person", "national_id") == "personal"
    assert classification("allocation.Unit", "address") == "none"


def test_privacy__no_field_was_added_without_a_decision():
    from stord_bolig.privacy import REVIEWED

    for model in _our_models():
        fields = {field.name for field in model._meta.concrete_fields}
        assert fields <= REVIEWED.get(model._meta.label, set()), (
            model._meta.label,
            sorted(fields - REVIEWED.get(model._meta.label, set())),
        )
