"""Demo complaints: two fictional complaints against 大兴乡人民政府, one of them handled by the
大兴乡司法所 supervisor. Built through the services; a second run adds nothing."""

from __future__ import annotations

from django.db import transaction

from . import services
from .models import Complaint

DEMO = [
    {
        "category": "conduct",
        "text": "（演示）某日上午在集市检查时，一名执法人员态度生硬，未出示执法证件即要求摊主"
        "收摊。希望核实并改进执法方式。",
        "officer_reference": "",
        "case_reference": "",
        "contact_name": "周小梅",
        "contact_phone": "13800000001",
        "reply": "（演示）经核查，当日执法人员已出示执法证件，但沟通方式欠妥。已对相关人员"
        "进行批评教育，并要求执法时耐心说明依据。感谢您的监督。",
    },
    {
        "category": "inaction",
        "text": "（演示）村口道路旁长期堆放建筑垃圾，多次向乡里反映，至今未见处理。",
        "officer_reference": "",
        "case_reference": "",
        "contact_name": "",
        "contact_phone": "",
        "reply": "",
    },
]


@transaction.atomic
def build_complaints_demo(world) -> list[Complaint]:
    body = world.orgs["daxing"]
    supervisor = world.users["supervisor"]
    made = []
    for item in DEMO:
        existing = Complaint.objects.filter(body=body, text=item["text"]).first()
        if existing is not None:
            made.append(existing)
            continue
        fields = {k: v for k, v in item.items() if k != "reply"}
        complaint = services.submit(body=body, **fields)
        if item["reply"]:
            complaint = services.accept(supervisor, complaint, "（演示）属于监督范围，予以受理。")
            complaint = services.reply(supervisor, complaint, item["reply"])
        made.append(complaint)
    return made
