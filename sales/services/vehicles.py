from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stores.policy import require

from ..models import MileageCorrection, Vehicle


@transaction.atomic
def vehicle_correct_mileage(*, vehicle: Vehicle, mileage_km: int, reason: str, user) -> MileageCorrection:
    """Set a corrected mileage (usually lower: a wrong reading), recording who, why and the old value.

    HQ only (stores.policy "vehicle.correct_mileage")."""
    require(user, "vehicle.correct_mileage", vehicle)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    if mileage_km < 0:
        raise ValidationError({"mileage_km": _("Mileage cannot be negative.")})
    locked = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if mileage_km == locked.mileage_km:
        raise ValidationError({"mileage_km": _("That is already the recorded mileage.")})
    correction = MileageCorrection.objects.create(
        vehicle=locked, old_km=locked.mileage_km, new_km=mileage_km, reason=reason, corrected_by=user
    )
    locked.mileage_km = mileage_km
    locked.save(update_fields=["mileage_km", "updated_at"])
    vehicle.mileage_km = mileage_km
    return correction
