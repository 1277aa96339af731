# Run by scripts/api_contract.sh inside `manage.py shell`: one read-and-write token per role
# of the demo data, printed as ROLE=TOKEN lines. (Made directly: the harness is not a person.)
import datetime as dt

from ratings.constants import TokenScope
from ratings.models import ApiToken, User

for role, username in (
    ("manufacturer", "applicant"),
    ("supplier", "supplier"),
    ("hhs", "reviewer"),
    ("auditor", "auditor"),
):
    user = User.objects.get(username=username)
    _token, secret = ApiToken.objects.create(
        user=user, expiry=dt.timedelta(hours=2), name="contract run", scope=TokenScope.READ_WRITE
    )
    print(f"{role}={secret}")
