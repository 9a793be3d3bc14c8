"""The permission catalogue and the built-in roles.

A permission is ``<area>.<verb>``. Every endpoint declares exactly one (or ``public``). Roles are
sets of permissions granted per site (or at every site); admins may define custom roles from the
same catalogue.
"""

from __future__ import annotations

# permission -> (English, Chinese) description, shown in the role editor.
PERMISSIONS: dict[str, tuple[str, str]] = {
    "users.manage": ("Create users, assign roles, reset passwords", "管理用户、分配角色、重置密码"),
    "roles.manage": ("Define custom roles", "定义自定义角色"),
    "tokens.manage": ("Create and revoke API tokens", "创建和吊销 API 令牌"),
    "sites.manage": ("Manage the organisation's sites", "管理组织的工厂/站点"),
    "masterdata.read": ("Read master data", "查看主数据"),
    "masterdata.write": ("Change master data", "修改主数据"),
    "forms.read": ("Read form definitions", "查看表单定义"),
    "forms.design": ("Edit form drafts", "编辑表单草稿"),
    "forms.publish": ("Publish form versions", "发布表单版本"),
    "flows.read": ("Read process flows and instances", "查看工艺流程及实例"),
    "flows.design": ("Edit flow drafts", "编辑流程草稿"),
    "flows.publish": ("Publish flow versions", "发布流程版本"),
    "flows.run": ("Start flow instances", "启动流程实例"),
    "records.capture": ("Submit records at a station", "在工位提交记录"),
    "records.correct": ("Correct submitted records", "更正已提交记录"),
    "records.sign": ("Sign records electronically", "对记录进行电子签名"),
    "trace.read": ("Trace items backward and forward", "正查/反查追溯"),
    "recall.hold": ("Put a recall scope on hold", "将召回范围内物料冻结"),
    "quality.manage": ("Manage holds, releases and nonconformances", "管理冻结、放行和不合格品"),
    "reports.read": ("View reports and export data", "查看报表并导出数据"),
    "reports.design": ("Design report views", "设计报表视图"),
    "packs.view": (
        "See template packs, what they contain and what installing one would do",
        "查看模板包、其内容及安装预览",
    ),
    "packs.manage": ("Install, upgrade and uninstall template packs", "安装、升级和卸载模板包"),
    "audit.read": ("Review the audit trail", "查看审计追踪"),
    "audit.export": ("Export the audit trail", "导出审计追踪"),
    "integration.write": ("Send data through integrations", "通过集成接口写入数据"),
}

_ALL = frozenset(PERMISSIONS)
_READ = frozenset({"masterdata.read", "forms.read", "flows.read", "trace.read", "reports.read", "packs.view"})

# role key -> (English name, Chinese name, permissions)
BUILTIN_ROLES: dict[str, tuple[str, str, frozenset[str]]] = {
    "admin": ("Administrator", "管理员", _ALL),
    "designer": (
        "Designer",
        "设计员",
        _READ
        | {
            "forms.design",
            "forms.publish",
            "flows.design",
            "flows.publish",
            "reports.design",
            "masterdata.write",
            "packs.manage",
        },
    ),
    "supervisor": (
        "Supervisor",
        "班组长",
        _READ | {"flows.run", "records.capture", "records.correct", "records.sign", "quality.manage"},
    ),
    "operator": (
        "Operator",
        "操作工",
        frozenset(
            {
                "forms.read",
                "flows.read",
                "flows.run",
                "records.capture",
                "records.sign",
                "trace.read",
                "masterdata.read",
            }
        ),
    ),
    "quality": (
        "Quality",
        "质量",
        _READ | {"records.sign", "records.correct", "recall.hold", "quality.manage", "audit.read"},
    ),
    "auditor": ("Auditor", "审计员", _READ | {"audit.read", "audit.export"}),
    "integration": (
        "Integration",
        "系统集成",
        frozenset(
            {"integration.write", "records.capture", "masterdata.read", "masterdata.write", "trace.read"}
        ),
    ),
}


def unknown_permissions(names: list[str] | set[str] | frozenset[str]) -> list[str]:
    return sorted(set(names) - _ALL)
