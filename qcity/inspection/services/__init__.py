"""State changes of the inspection app (PATTERNS.md 5), one module per concept. Each function is
one business action in one transaction: validate (Chinese messages), write, keep the pass-rate
rollup in step, write the change log and the event timeline, and queue indicator recomputation
after commit. Callers use ``from qcity.inspection import services`` and ``services.<name>``.
"""

from .common import (  # noqa: F401
    CLASSES,
    UNCLASSIFIED,
    _rule_deadline,
    _today,
    queue_recompute,
)
from .disposal import (  # noqa: F401
    TRANSITIONS,
    _case_todo,
    act,
    notice_paragraphs,
    open_case,
    overturn,
    refuse_delete_case,
    retest_refusal,
    scan_overdue,
    step_guide,
    steps_taken,
)
from .draws import (  # noqa: F401
    _inspector_pool,
    _rule_ratio,
    commit_task,
    create_task,
    delete_task,
    draw_params,
    eligible_enterprises,
    enter_public_value,
    params_of,
    population_of,
    preview,
    update_task,
    verify_task,
)
from .imports import (  # noqa: F401
    _SUFFIX_RE,
    BULK_SUFFIXES,
    RESULT_KINDS,
    CategoryMatcher,
    EnterpriseMatcher,
    ImportReport,
    _norm_name,
    _region_for,
    _Rollback,
    _row_key,
    bulk_error_report,
    bulk_template,
    import_results,
    run_bulk_import,
    start_bulk_import,
)
from .publicity import (  # noqa: F401
    publish_record,
    record_inspection,
)
from .rollups import (  # noqa: F401
    _bump,
    _cell,
    _contribution,
    _month_expr,
    rebuild_rollup,
    rollup_move,
    rollup_state,
)
from .sampling import (  # noqa: F401
    ItemInput,
    _flat,
    _sample_fields,
    create_plan,
    create_sample,
    judge_items,
    plan_overlaps,
    record_result,
    update_sample,
    void_sample,
)
