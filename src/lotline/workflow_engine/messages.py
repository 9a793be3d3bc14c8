"""Every problem code the workflow engine reports, with its en and zh-CN message templates.

Codes are stable API: the platform and the front end key on them. Three families:

- ``flow.*``    static problems in a flow definition (``check_flow`` / ``load_flow``); the path
                points into the flow document (``("nodes", 3, "rules", "max_repeats")``).
- ``step.*``    why a node is not enabled or a submission is rejected (``enabled`` / ``submit``);
                the path points into the submission or the context (``("roles",)``,
                ``("materials", 0, "material")``, ``("item", "status")``, ``("node",)``).
- ``state.*`` / ``upgrade.*``  a serialised state or document that cannot be loaded.

Templates use ``str.format`` with the problem's params (and ``{field}``, the dotted path).
The catalogue is registered with ``lotline.form_engine.problems`` when this module is imported.
"""

from __future__ import annotations

from lotline.form_engine.problems import register_messages

MESSAGES: dict[str, dict[str, str]] = {
    # --- flow definition: shape -------------------------------------------------------------
    "flow.format_version": {
        "en": "Flow format version {found} is not supported (this engine reads {supported}); "
        "upgrade the document first",
        "zh-CN": "不支持流程格式版本 {found}（本引擎支持 {supported}），请先升级该文档",
    },
    "flow.schema_required": {
        "en": "{field}: required property '{property}' is missing",
        "zh-CN": "{field}：缺少必填属性“{property}”",
    },
    "flow.schema_unknown_property": {
        "en": "{field}: unknown property",
        "zh-CN": "{field}：未知属性",
    },
    "flow.schema_not_allowed": {
        "en": "{field}: value {value} is not one of the allowed values",
        "zh-CN": "{field}：取值 {value} 不在允许的取值范围内",
    },
    "flow.schema_type": {
        "en": "{field}: expected {expected}",
        "zh-CN": "{field}：类型错误，应为 {expected}",
    },
    "flow.schema_invalid": {
        "en": "{field}: {detail}",
        "zh-CN": "{field}：不符合流程定义格式（{detail}）",
    },
    "flow.duplicate_id": {
        "en": "Id '{id}' is used more than once",
        "zh-CN": "标识“{id}”重复使用",
    },
    "flow.unknown_node": {
        "en": "{field}: no node has the id '{node}'",
        "zh-CN": "{field}：不存在标识为“{node}”的节点",
    },
    # --- flow definition: graph -------------------------------------------------------------
    "flow.unreachable": {
        "en": "Node '{node}' cannot be reached from any start node",
        "zh-CN": "节点“{node}”无法从任何开始节点到达",
    },
    "flow.no_path_to_end": {
        "en": "Node '{node}' cannot reach any end node",
        "zh-CN": "节点“{node}”无法到达任何结束节点",
    },
    "flow.no_way_out": {
        "en": "All transitions out of node '{node}' are conditional and none is the default: "
        "if every condition is false the subject is stuck",
        "zh-CN": "节点“{node}”的所有出口都带条件且没有默认出口：条件全部不满足时对象将无法继续",
    },
    "flow.multiple_defaults": {
        "en": "Node '{node}' has more than one default transition",
        "zh-CN": "节点“{node}”有多个默认出口",
    },
    "flow.end_has_transitions": {
        "en": "End node '{node}' must not have outgoing transitions",
        "zh-CN": "结束节点“{node}”不能有出口连线",
    },
    "flow.anytime_in_graph": {
        "en": "Node '{node}' can be done at any time, so it cannot be a start or end node or "
        "have transitions",
        "zh-CN": "节点“{node}”为随时可执行节点，不能作为开始/结束节点，也不能有连线",
    },
    "flow.parallel_with_condition": {
        "en": "Parallel transition '{transition}' must not have a condition or be a default",
        "zh-CN": "并行连线“{transition}”不能带条件，也不能设为默认出口",
    },
    "flow.mixed_split": {
        "en": "Node '{node}' mixes parallel and ordinary outgoing transitions",
        "zh-CN": "节点“{node}”同时有并行出口和普通出口",
    },
    "flow.single_branch_split": {
        "en": "Node '{node}' has only one parallel transition; a parallel split needs two or more",
        "zh-CN": "节点“{node}”只有一条并行连线，并行分支至少需要两条",
    },
    "flow.join_without_split": {
        "en": "Join node '{node}' has no matching parallel split whose branches all reach it",
        "zh-CN": "汇合节点“{node}”没有对应的并行分支（其所有分支都应到达该节点）",
    },
    "flow.split_without_join": {
        "en": "The parallel branches of node '{node}' never meet again at a join node",
        "zh-CN": "节点“{node}”的并行分支没有在任何汇合节点重新汇合",
    },
    "flow.loop_without_exit": {
        "en": "Loop {nodes} has no way out: no transition or exhausted-repeats route leaves it",
        "zh-CN": "循环 {nodes} 没有出口：没有任何连线或次数用尽后的去向离开该循环",
    },
    "flow.loop_unbounded": {
        "en": "Loop {nodes} has no maximum count: set max_repeats on one of its nodes",
        "zh-CN": "循环 {nodes} 没有最大次数：请为其中一个节点设置最大重复次数",
    },
    "flow.on_exhausted_without_limit": {
        "en": "Node '{node}' says where to go when its repeats are used up but sets no max_repeats",
        "zh-CN": "节点“{node}”设置了次数用尽后的去向，但没有设置最大重复次数",
    },
    "flow.on_exhausted_invalid": {
        "en": "Node '{node}' cannot route to '{target}' when its repeats are used up",
        "zh-CN": "节点“{node}”次数用尽后不能转到“{target}”",
    },
    "flow.skippable_without_route": {
        "en": "Node '{node}' is skippable but has no unconditional or default transition to skip along",
        "zh-CN": "节点“{node}”可跳过，但没有可用于跳过的无条件或默认出口",
    },
    # --- flow definition: forms and conditions ----------------------------------------------
    "flow.form_missing": {
        "en": "Node '{node}' uses form {form} version {version}, which does not exist",
        "zh-CN": "节点“{node}”引用的表单 {form} 版本 {version} 不存在",
    },
    "flow.form_unpublished": {
        "en": "Node '{node}' uses form {form} version {version}, which is not published",
        "zh-CN": "节点“{node}”引用的表单 {form} 版本 {version} 尚未发布",
    },
    "flow.condition_invalid": {
        "en": "{field}: invalid condition ({reason}: {operator})",
        "zh-CN": "{field}：条件无效（{reason}：{operator}）",
    },
    "flow.condition_unknown_var": {
        "en": "{field}: the condition reads '{var}', which is not a known field",
        "zh-CN": "{field}：条件引用了“{var}”，这不是已知字段",
    },
    "flow.action_unknown_field": {
        "en": "{field}: form field '{name}' does not exist in the node's form",
        "zh-CN": "{field}：节点表单中不存在字段“{name}”",
    },
    "flow.check_failed": {
        "en": "Check '{check}' failed to run: {error}",
        "zh-CN": "检查“{check}”运行失败：{error}",
    },
    # --- runtime: sequence ------------------------------------------------------------------
    "step.unknown_node": {
        "en": "This flow has no node '{node}'",
        "zh-CN": "该流程中没有节点“{node}”",
    },
    "step.instance_completed": {
        "en": "This flow instance is already completed",
        "zh-CN": "该流程实例已结束",
    },
    "step.flow_mismatch": {
        "en": "The instance runs flow {expected}, not {found}",
        "zh-CN": "该实例运行的是流程 {expected}，而不是 {found}",
    },
    "step.out_of_sequence": {
        "en": "Step '{node}' is out of sequence: complete {expected} first",
        "zh-CN": "工序顺序错误：应先完成 {expected}，当前不能执行“{node}”",
    },
    "step.join_waiting": {
        "en": "Step '{node}' waits for parallel branches {missing} to finish",
        "zh-CN": "工序“{node}”正在等待并行分支 {missing} 完成",
    },
    "step.repeats_exhausted": {
        "en": "Step '{node}' has already been done {max} time(s), the maximum",
        "zh-CN": "工序“{node}”已执行 {max} 次，达到最大次数",
    },
    "step.no_transition": {
        "en": "No transition out of step '{node}' matches this submission",
        "zh-CN": "工序“{node}”没有与本次提交相符的出口",
    },
    "step.condition_error": {
        "en": "Condition of {where} could not be evaluated: {error}",
        "zh-CN": "{where} 的条件无法计算：{error}",
    },
    # --- runtime: error-proofing rules ------------------------------------------------------
    "step.role_not_allowed": {
        "en": "Your roles ({roles}) may not perform this step; allowed: {allowed}",
        "zh-CN": "您的角色（{roles}）无权执行此工序；允许的角色：{allowed}",
    },
    "step.station_not_allowed": {
        "en": "Station {station} may not perform this step; allowed: {allowed}",
        "zh-CN": "工位 {station} 不能执行此工序；允许的工位：{allowed}",
    },
    "step.subject_on_hold": {
        "en": "The item is on {status}; only hold and release steps are possible",
        "zh-CN": "该物品处于{status}状态，只能执行冻结或放行工序",
    },
    "step.subject_not_on_hold": {
        "en": "The item is not on hold (status {status}); there is nothing to release",
        "zh-CN": "该物品未被冻结（状态 {status}），无需放行",
    },
    "step.item_status_not_allowed": {
        "en": "Item status {status} is not allowed at this step; required: {allowed}",
        "zh-CN": "此工序不允许物品状态为 {status}；要求的状态：{allowed}",
    },
    "step.item_expired": {
        "en": "The item expired on {expiry}",
        "zh-CN": "该物品已于 {expiry} 过期",
    },
    "step.context_missing": {
        "en": "'{name}' is needed to check this step but was not given",
        "zh-CN": "校验此工序需要“{name}”，但未提供",
    },
    "step.bad_input": {
        "en": "{field}: cannot read {value}",
        "zh-CN": "{field}：无法识别 {value}",
    },
    "step.material_not_allowed": {
        "en": "Material {material} is not allowed at this step; allowed: {allowed}",
        "zh-CN": "此工序不允许使用物料 {material}；允许的物料：{allowed}",
    },
    "step.material_on_hold": {
        "en": "Lot {lot} of material {material} is on {status}",
        "zh-CN": "物料 {material} 的批次 {lot} 处于{status}状态",
    },
    "step.material_unavailable": {
        "en": "Lot {lot} of material {material} is {status} and cannot be used",
        "zh-CN": "物料 {material} 的批次 {lot} 状态为 {status}，不能使用",
    },
    "step.material_expired": {
        "en": "Lot {lot} of material {material} expired on {expiry}",
        "zh-CN": "物料 {material} 的批次 {lot} 已于 {expiry} 过期",
    },
    "step.material_missing": {
        "en": "Bill-of-materials component {material} was not consumed",
        "zh-CN": "未投入物料清单中的组件 {material}",
    },
    "step.bom_missing": {
        "en": "This step only allows bill-of-materials components, but no bill of materials was given",
        "zh-CN": "此工序只允许投入物料清单中的组件，但未提供物料清单",
    },
    "step.signature_missing": {
        "en": "An electronic signature meaning '{meaning}' is required",
        "zh-CN": "需要含义为“{meaning}”的电子签名",
    },
    "step.signers_not_distinct": {
        "en": "The required signatures must come from different people ({signers})",
        "zh-CN": "所需签名必须由不同人员完成（{signers}）",
    },
    # --- regulation checks (compliance.py) ---------------------------------------------------
    "flow.kde_missing": {
        "en": "{field}: FSMA 204 {event} needs the key data element {kde}; name the field that captures it",
        "zh-CN": "{field}：FSMA 204 {event} 事件需要关键数据元素 {kde}，请指明采集它的字段",
    },
    "flow.kde_unknown": {
        "en": "{field}: {kde} is not a key data element of the FSMA 204 {event} event",
        "zh-CN": "{field}：{kde} 不是 FSMA 204 {event} 事件的关键数据元素",
    },
    "flow.kde_unknown_field": {
        "en": "{field}: key data element {kde} comes from {source}, which form {form} does not have",
        "zh-CN": "{field}：关键数据元素 {kde} 取自 {source}，但表单 {form} 中没有该字段",
    },
    "flow.tlc_not_allowed": {
        "en": "{field}: a new traceability lot code may only be assigned at initial packing, first "
        "land-based receiving or transformation, not at {event}",
        "zh-CN": "{field}：只有初次包装、首次陆上接收或加工转化时才可分配新的可追溯批次代码，{event} 时不可",
    },
    # --- serialised state and upgrades ------------------------------------------------------
    "state.invalid": {
        "en": "{field}: invalid instance state ({detail})",
        "zh-CN": "{field}：流程实例状态无效（{detail}）",
    },
    "state.version": {
        "en": "Instance state version {found} is newer than this engine ({supported})",
        "zh-CN": "流程实例状态版本 {found} 高于本引擎支持的版本（{supported}）",
    },
    "upgrade.missing": {
        "en": "No upgrade from {kind} version {found} to version {target}",
        "zh-CN": "没有从{kind}版本 {found} 升级到版本 {target} 的升级函数",
    },
}

register_messages(MESSAGES)
