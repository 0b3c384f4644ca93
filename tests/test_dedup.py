from reportqa.ingest.dedup import DedupCandidate, find_duplicates

CLEAN = "一般公共预算收入完成220.4亿元，同比下降18.6%，降幅较上半年收窄4个百分点。全区上市企业总数达到32家。" * 3
SCRAPED = "一般公共预算收入完成220.4亿元,同比下降18.6%,降幅较上半年收窄4个百分点。全区上市企业总数达到 32 家。" * 3
OTHER = "新增养老床位550张,改造认知障碍照护床位136张。佘山度假区获评国家级旅游度假区。" * 3


def test_near_identical_copies_fold_into_the_copy_that_has_its_own_file():
    duplicates = find_duplicates(
        [DedupCandidate("listing#4", SCRAPED, False), DedupCandidate("own#1", CLEAN, True),
         DedupCandidate("listing#7", OTHER, False)],
        threshold=0.6,
    )
    assert duplicates == {"listing#4": "own#1"}
