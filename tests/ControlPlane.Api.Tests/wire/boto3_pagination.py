"""List operations through botocore paginators: every item exactly once, in SageMaker's default order, over many pages.

usage: python3 boto3_pagination.py <service-url>
"""

import datetime
import sys
import time

sys.dont_write_bytecode = True

from wirecheck import (  # noqa: E402
    Checks,
    client,
    endpoint_config_request,
    eq,
    fail,
    model_request,
    now,
    processing_job_request,
    training_job_request,
    transform_job_request,
    true,
    uid,
)

check = Checks()
RUN = uid()
# Created in this order, so creation order and name order differ.
ORDER = [3, 0, 4, 1, 2]


def names(kind):
    """Five names sharing a tag only they carry (NameContains isolates them from the other scripts' resources)."""
    return ["pg%s-%s-%d" % (kind, RUN, i) for i in ORDER]


def walk(sm, operation, result_key, name_member, page_size=2, **kwargs):
    """Pages of names through botocore's paginator, checking NextToken is on every page but the last."""
    pages = list(sm.get_paginator(operation).paginate(PaginationConfig={"PageSize": page_size}, **kwargs))
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        if last and page.get("NextToken"):
            fail("%s: the last page carries NextToken %r" % (operation, page["NextToken"]))
        if not last and not page.get("NextToken"):
            fail("%s: page %d of %d has no NextToken" % (operation, i + 1, len(pages)))
        if len(page[result_key]) > page_size:
            fail("%s: page %d has %d items, more than PageSize %d" % (operation, i + 1, len(page[result_key]), page_size))
    return [[item[name_member] for item in page[result_key]] for page in pages]


def expect_pages(sm, operation, result_key, name_member, created, default_order, **kwargs):
    """The default order, the explicit opposite order and name order, each over 3 pages of 2, 2 and 1."""
    flat = lambda pages: [n for page in pages for n in page]  # noqa: E731
    ascending = list(created)
    expected = ascending if default_order == "Ascending" else ascending[::-1]
    pages = walk(sm, operation, result_key, name_member, **kwargs)
    eq([len(p) for p in pages], [2, 2, 1], "%s page sizes" % operation)
    eq(flat(pages), expected, "%s default order (%s by CreationTime)" % (operation, default_order))
    eq(len(set(flat(pages))), len(created), "%s distinct items" % operation)

    opposite = "Descending" if default_order == "Ascending" else "Ascending"
    pages = walk(sm, operation, result_key, name_member, SortOrder=opposite, **kwargs)
    eq(flat(pages), expected[::-1], "%s SortOrder=%s" % (operation, opposite))

    pages = walk(sm, operation, result_key, name_member, SortBy="Name", SortOrder="Ascending", **kwargs)
    eq(flat(pages), sorted(created), "%s SortBy=Name Ascending" % operation)
    pages = walk(sm, operation, result_key, name_member, SortBy="Name", SortOrder="Descending", page_size=3, **kwargs)
    eq(flat(pages), sorted(created, reverse=True), "%s SortBy=Name Descending, pages of 3" % operation)

    # MaxItems stops mid-page; the resume token botocore builds must carry on where it stopped.
    first = sm.get_paginator(operation).paginate(PaginationConfig={"PageSize": 2, "MaxItems": 3}, **kwargs).build_full_result()
    head = [item[name_member] for item in first[result_key]]
    eq(head, expected[:3], "%s first 3 with MaxItems" % operation)
    true(first.get("NextToken"), "%s: build_full_result with MaxItems=3 of 5 must return a resume token" % operation)
    rest = sm.get_paginator(operation).paginate(
        PaginationConfig={"PageSize": 2, "StartingToken": first["NextToken"]}, **kwargs).build_full_result()
    eq([item[name_member] for item in rest[result_key]], expected[3:], "%s resumed from StartingToken" % operation)


@check
def list_training_jobs_paginates_ascending_by_creation_time(url):
    sm = client(url)
    created = names("train")
    for name in created:
        sm.create_training_job(**training_job_request(name))
    expect_pages(sm, "list_training_jobs", "TrainingJobSummaries", "TrainingJobName", created, "Ascending",
                 NameContains="pgtrain-" + RUN)


@check
def list_training_jobs_filters_and_sorts_by_status_across_pages(url):
    sm = client(url)
    created = names("train")
    stopped = [created[1], created[3]]
    for name in stopped:
        sm.stop_training_job(TrainingJobName=name)
    kwargs = {"NameContains": "pgtrain-" + RUN}
    in_progress = [n for page in walk(sm, "list_training_jobs", "TrainingJobSummaries", "TrainingJobName",
                                      StatusEquals="InProgress", **kwargs) for n in page]
    eq(in_progress, [n for n in created if n not in stopped], "StatusEquals=InProgress in creation order")
    stopping = [n for page in walk(sm, "list_training_jobs", "TrainingJobSummaries", "TrainingJobName",
                                   page_size=1, StatusEquals="Stopping", **kwargs) for n in page]
    eq(stopping, stopped, "StatusEquals=Stopping, pages of 1")
    pages = list(sm.get_paginator("list_training_jobs").paginate(
        PaginationConfig={"PageSize": 2}, SortBy="Status", SortOrder="Ascending", **kwargs))
    statuses = [s["TrainingJobStatus"] for page in pages for s in page["TrainingJobSummaries"]]
    eq(statuses, ["InProgress"] * 3 + ["Stopping"] * 2, "SortBy=Status Ascending")
    seen = [s["TrainingJobName"] for page in pages for s in page["TrainingJobSummaries"]]
    eq(sorted(seen), sorted(created), "SortBy=Status sees every job once")


@check
def list_processing_jobs_paginates_ascending_by_creation_time(url):
    sm = client(url)
    created = names("proc")
    for name in created:
        sm.create_processing_job(**processing_job_request(name))
    expect_pages(sm, "list_processing_jobs", "ProcessingJobSummaries", "ProcessingJobName", created, "Ascending",
                 NameContains="pgproc-" + RUN)


@check
def list_transform_jobs_paginates_descending_by_creation_time(url):
    sm = client(url)
    model = "pgtrmodel-" + RUN
    sm.create_model(**model_request(model))
    created = names("transform")
    for name in created:
        sm.create_transform_job(**transform_job_request(name, model))
    expect_pages(sm, "list_transform_jobs", "TransformJobSummaries", "TransformJobName", created, "Descending",
                 NameContains="pgtransform-" + RUN)


@check
def list_models_paginates_descending_by_creation_time(url):
    sm = client(url)
    created = names("model")
    for name in created:
        sm.create_model(**model_request(name))
    expect_pages(sm, "list_models", "Models", "ModelName", created, "Descending", NameContains="pgmodel-" + RUN)


@check
def list_endpoint_configs_paginates_descending_by_creation_time(url):
    sm = client(url)
    model = "pgecmodel-" + RUN
    sm.create_model(**model_request(model))
    created = names("config")
    for name in created:
        sm.create_endpoint_config(**endpoint_config_request(name, model))
    expect_pages(sm, "list_endpoint_configs", "EndpointConfigs", "EndpointConfigName", created, "Descending",
                 NameContains="pgconfig-" + RUN)


@check
def list_endpoints_paginates_descending_by_creation_time(url):
    sm = client(url)
    model = "pgepmodel-" + RUN
    config = "pgepconfig-" + RUN
    sm.create_model(**model_request(model))
    sm.create_endpoint_config(**endpoint_config_request(config, model))
    created = names("endpoint")
    for name in created:
        sm.create_endpoint(EndpointName=name, EndpointConfigName=config)
    expect_pages(sm, "list_endpoints", "Endpoints", "EndpointName", created, "Descending", NameContains="pgendpoint-" + RUN)


@check
def deleted_items_drop_out_of_later_pages(url):
    sm = client(url)
    created = names("endpoint")
    kwargs = {"NameContains": "pgendpoint-" + RUN, "MaxResults": 2}
    first = sm.list_endpoints(**kwargs)
    eq([e["EndpointName"] for e in first["Endpoints"]], created[::-1][:2], "first page")
    sm.delete_endpoint(EndpointName=created[::-1][2])
    rest = []
    token = first["NextToken"]
    while token:
        page = sm.list_endpoints(NextToken=token, **kwargs)
        rest.extend(e["EndpointName"] for e in page["Endpoints"])
        token = page.get("NextToken")
    eq(rest, created[::-1][3:], "pages after a delete skip the deleted endpoint and repeat nothing")


@check
def list_without_max_results_returns_ten_and_a_token(url):
    sm = client(url)
    created = ["pgten-%s-%02d" % (RUN, i) for i in range(12)]
    for name in created:
        sm.create_model(**model_request(name))
    first = sm.list_models(NameContains="pgten-" + RUN)
    eq(len(first["Models"]), 10, "default page size")
    true(first.get("NextToken"), "NextToken after 10 of 12")
    second = sm.list_models(NameContains="pgten-" + RUN, NextToken=first["NextToken"])
    eq(len(second["Models"]), 2, "second page")
    true("NextToken" not in second, "no NextToken on the last page")
    everything = [m["ModelName"] for m in first["Models"] + second["Models"]]
    eq(everything, created[::-1], "all 12, newest first")
    full = sm.get_paginator("list_models").paginate(NameContains="pgten-" + RUN).build_full_result()
    eq([m["ModelName"] for m in full["Models"]], created[::-1], "paginator without PageSize")


@check
def creation_and_last_modified_time_filters_take_datetimes(url):
    """botocore sends datetimes as epoch seconds; After/Before are strict comparisons."""
    sm = client(url)
    before = now() - datetime.timedelta(seconds=2)
    time.sleep(2.1)
    created = ["pgtime-%s-%d" % (RUN, i) for i in range(3)]
    for name in created:
        sm.create_model(**model_request(name))
    time.sleep(1.1)
    after = now()
    kwargs = {"NameContains": "pgtime-" + RUN}
    listed = [m["ModelName"] for m in sm.list_models(CreationTimeAfter=before, **kwargs)["Models"]]
    eq(listed, created[::-1], "CreationTimeAfter a time before they were created")
    eq(sm.list_models(CreationTimeBefore=before, **kwargs)["Models"], [], "CreationTimeBefore a time before they were created")
    eq(sm.list_models(CreationTimeAfter=after, **kwargs)["Models"], [], "CreationTimeAfter a time after they were created")
    listed = [m["ModelName"] for m in sm.list_models(CreationTimeBefore=after, CreationTimeAfter=before, **kwargs)["Models"]]
    eq(listed, created[::-1], "between the two times")
    jobs = ["pgtimejob-%s-%d" % (RUN, i) for i in range(2)]
    for name in jobs:
        sm.create_training_job(**training_job_request(name))
    time.sleep(1.1)
    stopped_after = now()
    time.sleep(1.1)
    sm.stop_training_job(TrainingJobName=jobs[1])
    modified = sm.list_training_jobs(NameContains="pgtimejob-" + RUN, LastModifiedTimeAfter=stopped_after)
    eq([s["TrainingJobName"] for s in modified["TrainingJobSummaries"]], jobs[1:], "LastModifiedTimeAfter picks the stopped job")
    modified = sm.list_training_jobs(NameContains="pgtimejob-" + RUN, LastModifiedTimeBefore=stopped_after)
    eq([s["TrainingJobName"] for s in modified["TrainingJobSummaries"]], jobs[:1], "LastModifiedTimeBefore picks the other")


@check
def name_contains_is_a_case_insensitive_substring(url):
    sm = client(url)
    upper = ("pgmodel-" + RUN).upper()
    found = [m["ModelName"] for m in sm.list_models(NameContains=upper, MaxResults=100)["Models"]]
    eq(sorted(found), sorted(names("model")), "NameContains in upper case")
    eq(sm.list_models(NameContains="no-such-fragment-" + RUN)["Models"], [], "NameContains matching nothing")


if __name__ == "__main__":
    check.run()
