import json, collections
from pathlib import Path
import pytest
from stord_bolig.interchange.service import records_import, records_export
from stord_bolig.interchange.codec import parse_document
from reports.rules import kostra

pytestmark = pytest.mark.django_db

def canon(x):
    return json.dumps(x, sort_keys=True, ensure_ascii=False)

def test_x():
    data = json.loads(Path("tests/data/example.json").read_text())
    r = records_import(data)
    print(r)
    out = records_export()
    for k in data:
        if k == "format": continue
        a = collections.Counter(canon(x) for x in data[k]); b = collections.Counter(canon(x) for x in out[k])
        if a != b:
            print("DIFF", k, list((a-b).items())[:3], list((b-a).items())[:3])
    r2 = records_import(data)
    print(r2, r2.changed)
    print(kostra(parse_document(data), 2025))
