"""A stand-in for one server process, driven line by line by test_processes.py.

Commands on stdin, one JSON reply per line on stdout: ["search", q], ["create", name],
["rename", old, new], ["delete", name].
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
django.setup()

from frontdoor.core.models import PublicationState  # noqa: E402  (needs django.setup())
from frontdoor.directory.models import Organisation  # noqa: E402
from frontdoor.search.query import Params, search  # noqa: E402

for line in sys.stdin:
    command, *args = json.loads(line)
    if command == "search":
        reply = [h.name for h in search(Params(q=args[0])).hits]
    elif command == "create":
        slug = args[0].lower().replace(" ", "-")
        Organisation.objects.create(
            name=args[0], slug=slug, kind="startup", state=PublicationState.PUBLISHED
        )
        reply = "ok"
    elif command == "rename":
        org = Organisation.objects.get(name=args[0])
        org.name = args[1]
        org.save()
        reply = "ok"
    elif command == "delete":
        Organisation.objects.get(name=args[0]).delete()
        reply = "ok"
    print(json.dumps(reply), flush=True)
