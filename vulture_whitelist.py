# Names that vulture (run by scripts/test) takes for dead code but that a framework uses.
# Vulture matches by name: `_.name` below counts as a use of every `name` in the checked code.
# Add a name here only with its group's reason; never lower the confidence instead.
# ruff: noqa - bare attribute expressions on an undefined `_`, the form vulture reads

# Singer SDK: class attributes and methods the SDK reads or calls on our subclasses.
_.package_name
_.config_jsonschema
_.message_writer_class
_.is_sorted
_.selected_by_default
_.extra_retry_statuses
_.get_replication_key_signpost
_.discover_streams
_.request_records
_.parse_response
_.response_error_message  # called by the SDK's validate_response
_.get_next  # paginators
_.has_more  # paginators (PageNumberPaginator)
_.TYPE_CONFORMANCE_LEVEL
_.process_record
_.process_batch
_.activate_version  # the SDK calls it on an ACTIVATE_VERSION message
_.test  # the SDK's test templates (tests/test_core.py's custom suite) call `test`
# target-bigquery-safe: what the SDK reads from or calls on its target, sink and reader.
_.default_sink_class
_.message_reader_class
_.max_parallelism
_.include_sdc_metadata_properties
_.get_validator
_.max_size
_.preprocess_record
_.clean_up
_.deserialize_json
_.expires  # google-cloud-bigquery: a Table property sent when the table is created

# urllib3: pool and connection classes it instantiates from these attributes (deadline.py).
_.ConnectionCls
_.pool_classes_by_scheme

# http.server and socketserver: handler methods and options they dispatch to or read.
_.do_GET
_.do_POST
_.do_PUT
_.do_PATCH
_.do_DELETE
_.do_HEAD
_.log_message
_.protocol_version
_.close_connection
_.daemon_threads
_.allow_reuse_address
_.request_queue_size

# requests: the body a hand-built `Response` returns (tests build rate-limit answers).
_._content

# Parameters a protocol dictates though the body ignores them: `__exit__`, signal handlers,
# a stand-in for `random.uniform(low, high)`.
_.exc_type
_.traceback
_.tb
_.signum
_.frame
_.high

# pytest: module marks, fixtures requested by name, and the test classes it collects.
_.pytestmark
_.fixed_today
_.set_up
_.TestTapTimeCamp
_.TestIncrementalContract
_.TestLookbackContract
_.TestActivitiesContract
_.TestValuesContract

# Hypothesis: rules of the incremental-contract state machines, called by the engine.
_.edit_running_timer
_.hours_pass
_.run_killed
_.correct_day
_.time_passes
_.set_user_ids
_.set_lookback
_.switch_rates
_.set_value
_.unassign
_.assign_again
_.remove_template

# Hypothesis: rules of the full-table state machine, called by the engine, and its fixture.
_.create_expenses
_.run_with_an_empty_answer
_.run_with_rows_hidden
_.run_with_an_error_object
_.run_with_expense_pages_shifting
_.run_accepting_a_mass_deletion
_.small_expense_pages

# Dataclass fields only read through `dataclasses.asdict` (benchmarks/run.py --json).
_.job_log
