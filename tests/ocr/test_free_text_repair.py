"""Business scope and company-name repairs: a misread put right says so, a doubt is left as
read and said, text that is not a standard expression is never touched."""

from __future__ import annotations

import random

import numpy as np
import pytest

import ocr
from journey.documents import DocumentKind, FinancialStatement
from ocr._company import repair_company_name
from ocr._layout import Row
from ocr._scope import REPAIRED, repair_scope, vocabulary
from ocr._statement import _header_fields
from ocr._tesseract import Word
from ocr.corpus._data import SCOPES, company
from ocr.corpus._fonts import FACES
from ocr.corpus._license_page import render_license
from tests.ocr.conftest import sample_path

NOTE = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"


@pytest.mark.parametrize(("read", "want", "said"), [
    # a look-alike for the final 。
    ("建筑材料销售；技术开发；会议服务日", "建筑材料销售；技术开发；会议服务。", "'会议服务日' as"),
    # a separator merged with the next item's first character; one misread character
    ("技术服务；机械设备租赁艳术咨询；货物芯出口。",
     "技术服务；机械设备租赁；技术咨询；货物进出口。",
     "'机械设备租赁艳术咨询' as '机械设备租赁；技术咨询'"),
    # one misread character and the final 。 lost
    ("计算机系统服务；软件开发；仓储服务；层术服务",
     "计算机系统服务；软件开发；仓储服务；技术服务。", "missing final"),
    ("技术服务；软件开发；计算机系统服务，", "技术服务；软件开发；计算机系统服务。", "final '，'"),
    # parts of one standard expression are joined by 、, items by ；
    ("广告设计代理；软件开发。", "广告设计、代理；软件开发。", "'广告设计代理' as"),
    ("软件开发电子产品销售。", "软件开发；电子产品销售。", "'软件开发电子产品销售' as"),
    # a separator lost where the paper lists items with ， (an older licence): ， put back
    ("技术服务，机械设备租赁仓储服务，货物进出口。",
     "技术服务，机械设备租赁，仓储服务，货物进出口。",
     "'机械设备租赁仓储服务' as '机械设备租赁，仓储服务'"),
    # ... and where it lists them with ； as well as ，: the standard's ；
    ("技术服务；机械设备租赁仓储服务，货物进出口。",
     "技术服务；机械设备租赁；仓储服务，货物进出口。",
     "'机械设备租赁仓储服务' as '机械设备租赁；仓储服务'"),
])
def test_misread_scope_is_repaired_and_said(read: str, want: str, said: str) -> None:
    scope = repair_scope(read)
    assert scope.text == want
    assert scope.problem is not None and said in scope.problem
    assert scope.confidence(0.0) == REPAIRED
    assert scope.confidence(0.95) == REPAIRED


@pytest.mark.parametrize("read", [
    "技术服务；软件开发；计算机系统服务。",
    "软件开发；生产销售服装。",  # not a standard expression: left as read
    f"软件开发；建设工程施工{NOTE}",
    "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发"
    f"（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）许可项目：建设工程施工{NOTE}",
    "生产销售服装，",  # not known: the comma may be where the reading was cut
    "",
])
def test_scope_that_reads_right_or_is_not_standard_is_left_alone(read: str) -> None:
    scope = repair_scope(read)
    assert scope.text == read
    assert scope.problem is None
    assert scope.confidence(0.83) == 0.83


def test_item_as_near_to_two_expressions_is_left_and_said() -> None:
    scope = repair_scope("技术服务；麦具销售。")  # 家具, 灯具, 模具, 玩具, 茶具销售
    assert scope.text == "技术服务；麦具销售。"
    assert scope.problem is not None and "'麦具销售' is as near to" in scope.problem
    assert scope.confidence(0.9) < 0.6


def test_repair_beside_free_text_keeps_the_engines_doubt() -> None:
    scope = repair_scope(f"层术服务；生产销售服装{NOTE}")
    assert scope.text == f"技术服务；生产销售服装{NOTE}"
    assert scope.confidence(0.4) == 0.4
    assert scope.confidence(0.9) == REPAIRED


def test_vocabulary_holds_the_generators_items_among_many() -> None:
    vocab = vocabulary()
    assert set(SCOPES) <= vocab.known
    assert len(vocab.known) > 10 * len(SCOPES)


@pytest.mark.parametrize(("read", "want", "repaired"), [
    ("杭州安泰电子股份有限人去：", "杭州安泰电子股份有限公司", True),
    ("杭州安泰电子有限公司人", "杭州安泰电子有限公司", True),
    ("北京华信科技有限公", "北京华信科技有限公司", True),
    ("北京华信科技有限责任公去", "北京华信科技有限责任公司", True),
    ("杭州安泰电子有限公司：", "杭州安泰电子有限公司", False),  # only punctuation goes
    ("北京华信科技有限责公人", "北京华信科技有限责公人", False),  # 公司 and 责任公司 as near
    ("北京有限元软件厂", "北京有限元软件厂", False),  # a valid ending
    ("嘉禾投资中心（有限合伙）", "嘉禾投资中心（有限合伙）", False),
    ("北京华信有限公司上海分公司", "北京华信有限公司上海分公司", False),
    ("北京华信科技", "北京华信科技", False),
])
def test_company_legal_form(read: str, want: str, repaired: bool) -> None:
    name, problem = repair_company_name(read)
    assert name == want
    assert (problem is not None) == repaired
    if problem:
        assert read in problem and want in problem


def test_licence_printed_with_misreads_is_read_repaired() -> None:
    """The page prints what the engine misreads elsewhere: the reading is put right, and said."""
    rng = random.Random(3)
    comp = company(rng)
    limited = comp.name.rfind("有限")
    page = render_license(comp, FACES[0], "single_column", rng,
                          {"经营范围": "技术服务；机械设备租赁艳术咨询；货物芯出口。",
                           "名称": comp.name[:limited] + "有限人去"})
    licence = ocr.extract_license(np.asarray(page)[:, :, ::-1].copy())
    assert licence.business_scope == "技术服务；机械设备租赁；技术咨询；货物进出口。"
    assert "'货物芯出口' as '货物进出口'" in licence.problems["business_scope"]
    assert licence.confidence["business_scope"] == REPAIRED
    assert licence.name == comp.name[:limited] + "有限公司"
    assert "legal form repaired" in licence.problems["name"]
    assert licence.confidence["name"] < 1.0


def test_sample_licence_read_right_is_not_flagged() -> None:
    licence = ocr.extract_license(sample_path("company1_business_license.jpg"))
    assert licence.business_scope == "建筑材料销售；企业管理咨询；销售电子产品。"
    assert "business_scope" not in licence.problems
    assert "name" not in licence.problems


def test_statement_company_with_a_misread_legal_form_is_repaired_and_said() -> None:
    model = FinancialStatement(kind=DocumentKind.INCOME_STATEMENT)
    row = Row([Word("编制单位：杭州安泰电子股份有限人去：", 40, 100, 600, 30, 80.0)])
    _header_fields(model, [row], 0, None)
    assert model.company == "杭州安泰电子股份有限公司"
    assert model.confidence["company"] == 0.68  # the reading's 0.80, at the repair's cost
    assert "人去" in model.problems["company"]
