"""The demo's made-up people: the personas' shared password and stable generated Chinese names. A leaf
module: the seed and every data module take these from here."""

from __future__ import annotations

import hashlib

PASSWORD = "zhili-demo-2026"  # noqa: S105 - published on purpose: demo personas only (zhili.E001)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌晶峰琳燕宇浩凯鹏婷雪倩颖晨"


def person_name(key: str) -> str:
    """A stable made-up Chinese name for a generated person."""
    digest = hashlib.sha256(key.encode()).digest()
    given = _GIVEN[digest[1] % len(_GIVEN)] + (_GIVEN[digest[2] % len(_GIVEN)] if digest[3] % 3 else "")
    return _SURNAMES[digest[0] % len(_SURNAMES)] + given
