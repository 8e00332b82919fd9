"""Error pages speak Chinese, including the 400 Django raises before any view runs."""

import pytest


@pytest.mark.django_db
def test_oversized_request_body_gets_chinese_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/login/", {"username": "x" * 4096, "password": "y"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "提交的内容过大" in text
    assert "没有保存任何内容" in text


@pytest.mark.django_db
def test_too_many_fields_gets_chinese_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/login/", {f"f{i}": "1" for i in range(50)})
    assert response.status_code == 400
    assert "提交的字段或文件过多" in response.content.decode()
