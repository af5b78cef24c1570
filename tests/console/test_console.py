"""The console in a real browser: it signs its calls with SigV4 in the page, against this
server's public APIs, and the server serves it under a strict Content-Security-Policy."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, ViewportSize, expect

from sensorium.console.files import CONTENT_SECURITY_POLICY
from sensorium.models.stt.wer import word_errors
from tests.conftest import (
    ACCESS_KEY,
    OTHER_ACCESS_KEY,
    OTHER_SECRET_KEY,
    SECRET_KEY,
    LiveServer,
    shared_data,
)
from tests.console.conftest import save_screenshot
from tests.services.forecast.conftest import dataset_with_import, long_csv, m4_series, wait
from tests.services.lex.flowers import Bot, build, create_bot, define_flowers
from tests.services.rekognition.test_video import CLIP, CLIP_MS, STILL
from tests.services.sagemaker.conftest import (
    CLIPS_PER_CLASS,
    class_folders,
    esc10_clips,
    wav_bytes,
)

TWO_PEOPLE = ("faces", "face_recognition", "examples", "two_people.jpg")  # 2 faces
OBAMA = ("faces", "face_recognition", "examples", "obama.jpg")  # 1 face, in two_people too
# scikit-image's photographed book page: tests/services/rekognition/test_text.py reads its lines.
BOOK_PAGE = ("faces", "no_face_skimage", "page.png")
BOOK_PAGE_LINES = [
    "Region-based segmentation",
    "Let us first determine markers of the coins and the",
]
GO_FORWARD = ("speech", "misc", "goforward.wav")
GO_FORWARD_SAID = "go forward ten meters"
MODEL_TIMEOUT_MS = 180_000  # a first call loads its model
VIDEO_TIMEOUT_MS = 600_000  # as tests/services/rekognition/test_video.py waits
DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)
JOBS_REGION = "sa-east-1"
BOTS_REGION = "eu-west-1"
FORECASTS_REGION = "ap-southeast-2"
COLLECTIONS_REGION = "ca-central-1"
VIDEO_REGION = "eu-north-1"
HORIZON = 24


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A fresh tab (its own sessionStorage) that fails the test on any CSP violation."""
    context = browser.new_context(viewport=DESKTOP, base_url=server.endpoint)
    tab = context.new_page()
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    tab.on("console", watch)
    yield tab
    context.close()
    assert not violations, f"the page broke its Content-Security-Policy: {violations}"


def sign_in(
    page: Page, secret: str = SECRET_KEY, access_key: str = ACCESS_KEY, region: str = "us-east-1"
) -> None:
    page.goto("/console/")
    page.get_by_label("Access key ID").fill(access_key)
    page.get_by_label("Secret access key").fill(secret)
    page.get_by_label("Region").fill(region)
    page.get_by_role("button", name="Sign in").click()


def shot(page: Page, name: str, volatile: Sequence[Locator] = ()) -> None:
    """A screenshot for docs/console; ``volatile`` parts (ids, times) are painted over so
    that the picture only changes when the page does."""
    png = page.screenshot(full_page=True, mask=list(volatile), mask_color="#d0d4da")
    save_screenshot(name, png)


def test_console_is_served_with_a_strict_policy_and_signed_paths_stay_api(
    server: LiveServer,
) -> None:
    page = httpx.get(f"{server.endpoint}/console/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" in page.text and "/console/assets/" in page.text
    moved = httpx.get(f"{server.endpoint}/console")
    assert moved.status_code == 308 and moved.headers["location"] == "/console/"
    missing = httpx.get(f"{server.endpoint}/console/nothing.js")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # Anything but an unsigned read is the API's, exactly as strict as on any other path.
    unsigned_write = httpx.put(f"{server.endpoint}/console/object", content=b"x")
    assert unsigned_write.status_code == 403
    s3 = server.client("s3")
    s3.create_bucket(Bucket="console")
    s3.put_object(Bucket="console", Key="index.html", Body=b"an object, not the page")
    assert s3.get_object(Bucket="console", Key="index.html")["Body"].read() == (
        b"an object, not the page"
    )


def test_console_sign_in(page: Page) -> None:
    page.goto("/console/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "signin.png")
    # By keyboard alone: the key field has the focus, Tab moves on, Enter submits.
    expect(page.get_by_label("Access key ID")).to_be_focused()
    page.keyboard.type(ACCESS_KEY)
    page.keyboard.press("Tab")
    page.keyboard.type(SECRET_KEY)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Faces", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Jobs")
    expect(page.locator(".who")).to_contain_text(ACCESS_KEY)
    assert page.evaluate("Object.keys(sessionStorage).length") == 1
    assert page.evaluate("Object.keys(localStorage).length") == 0


def test_console_refuses_a_wrong_secret_key(page: Page) -> None:
    sign_in(page, secret="not-" + SECRET_KEY)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Signature")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages").get_by_role("link")).to_have_count(0)
    assert page.evaluate("Object.keys(sessionStorage).length") == 0
    shot(page, "signin-refused.png")


def test_console_faces_draws_a_box_per_face(page: Page) -> None:
    two_people = shared_data(*TWO_PEOPLE)
    sign_in(page)
    detect = page.get_by_role("region", name="Detect faces")
    detect.get_by_label("Photo", exact=True).set_input_files(two_people)
    summary = detect.locator(".summary")
    expect(summary).to_have_attribute("data-count", "2", timeout=MODEL_TIMEOUT_MS)
    expect(detect.locator("li[data-face]")).to_have_count(2)
    expect(detect.locator("canvas")).to_be_visible()
    compare = page.get_by_role("region", name="Compare faces")
    compare.get_by_label("Source photo", exact=True).set_input_files(shared_data(*OBAMA))
    compare.get_by_label("Target photo", exact=True).set_input_files(two_people)
    compare.get_by_role("button", name="Compare").click()
    expect(compare.locator("li.match")).to_have_count(1, timeout=MODEL_TIMEOUT_MS)
    expect(compare.locator("li.unmatched")).to_have_count(1)
    shot(page, "faces.png")
    page.set_viewport_size(PHONE)
    shot(page, "faces-phone.png")


def test_console_faces_collections_index_and_search(page: Page) -> None:
    # A region of its own: the page lists this test's collection only.
    sign_in(page, region=COLLECTIONS_REGION)
    section = page.get_by_role("region", name="Collections")
    chosen = section.get_by_label("Collection", exact=True)
    expect(chosen).to_have_attribute("data-count", "0", timeout=MODEL_TIMEOUT_MS)
    section.get_by_label("New collection").fill("console-people")
    section.get_by_role("button", name="Create").click()
    expect(chosen).to_have_value("console-people")
    expect(section.get_by_role("status")).to_have_text("Created console-people.")
    photo = section.get_by_label("Photo to index or search", exact=True)
    photo.set_input_files(shared_data(*TWO_PEOPLE))
    section.get_by_role("button", name="Index faces").click()
    results = section.get_by_role("list", name="Collection results")
    expect(results.locator("li.indexed")).to_have_count(2, timeout=MODEL_TIMEOUT_MS)
    # Obama's face is one of the two: the search finds it, and only it.
    photo.set_input_files(shared_data(*OBAMA))
    section.get_by_role("button", name="Search collection").click()
    expect(results.locator("li.match")).to_have_count(1, timeout=MODEL_TIMEOUT_MS)
    expect(results.locator("li.match")).to_contain_text("two_people.jpg: similarity")
    expect(section.locator("canvas")).to_be_visible()
    shot(page, "faces-collections.png")
    section.get_by_role("button", name="Delete collection").click()
    expect(section.get_by_role("status")).to_have_text("Deleted console-people.")
    expect(chosen).to_have_attribute("data-count", "0")


def test_console_images_outlines_labels_and_lines_of_text(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Images").click()
    photo = page.get_by_label("Photo", exact=True)
    photo.set_input_files(shared_data(*TWO_PEOPLE))
    labels = page.get_by_role("region", name="Labels")
    # Person's instances are the two faces DetectFaces finds (test_labels.py).
    expect(labels.locator('[data-label="Person"]')).to_have_attribute(
        "data-instances", "2", timeout=MODEL_TIMEOUT_MS
    )
    expect(labels.get_by_role("img")).to_have_attribute("aria-label", re.compile("outlined"))
    text = page.get_by_role("region", name="Text")
    expect(text.locator(".summary")).to_have_attribute(
        "data-count", re.compile("^[0-9]+$"), timeout=MODEL_TIMEOUT_MS
    )
    expect(page.get_by_role("status")).to_have_text("Done: two_people.jpg.")
    shot(page, "images.png")
    photo.set_input_files(shared_data(*BOOK_PAGE))
    lines = text.get_by_role("list", name="Lines of text").locator(".said")
    expect(lines.first).to_have_text(BOOK_PAGE_LINES[0], timeout=MODEL_TIMEOUT_MS)
    expect(lines.nth(1)).to_have_text(BOOK_PAGE_LINES[1])
    expect(labels.locator('[data-label="Person"]')).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("Done: page.png.")
    shot(page, "images-text.png")


def test_console_speech_plays_synthesised_audio(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Speech").click()
    synthesis = page.get_by_role("form", name="Text to speech")
    speak = synthesis.get_by_role("button", name="Speak")
    expect(speak).to_be_enabled(timeout=MODEL_TIMEOUT_MS)
    synthesis.get_by_role("textbox", name="Text").fill("Hello from the console.")
    speak.click()
    audio = synthesis.locator("audio")
    expect(audio).to_have_attribute("src", re.compile("^blob:"), timeout=MODEL_TIMEOUT_MS)
    duration = audio.evaluate(
        """audio => audio.readyState >= 1 ? audio.duration : new Promise((resolve, reject) => {
            audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
            audio.addEventListener("error", () => reject(new Error("audio did not decode")));
        })"""
    )
    assert duration > 0
    expect(synthesis.locator(".words .word")).to_have_count(4)
    # Near the end, the last word is the one lit (and the screenshot is the same each run).
    audio.evaluate("audio => { audio.pause(); audio.currentTime = audio.duration - 0.05; }")
    expect(synthesis.locator(".words .word.spoken")).to_have_text("console")
    shot(page, "speech.png")


def test_console_speech_transcribes_an_uploaded_clip_word_by_word(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Speech").click()
    section = page.get_by_role("region", name="Speech to text")
    section.get_by_label("Audio", exact=True).set_input_files(shared_data(*GO_FORWARD))
    transcript = section.get_by_label("Transcript")
    expect(transcript).to_have_attribute(
        "data-count", re.compile("^[1-9]"), timeout=MODEL_TIMEOUT_MS
    )
    expect(section.get_by_role("status")).to_have_text(re.compile(r"words from goforward\.wav\.$"))
    words = transcript.locator("button.word")
    said = " ".join(text.split()[0] for text in words.all_inner_texts())
    # Normalised as tests/services/transcribe does ("10" reads "ten"), one slip allowed.
    errors, _ = word_errors(GO_FORWARD_SAID, said)
    assert errors <= 1, said
    starts = [
        float(start)
        for start in words.evaluate_all("buttons => buttons.map(button => button.dataset.start)")
    ]
    assert starts == sorted(starts) and starts[-1] > starts[0]
    # Choosing a word seeks the uploaded audio to that word's start.
    audio = section.locator("audio")
    expect(audio).to_have_attribute("src", re.compile("^blob:"))
    words.nth(1).click()
    audio.evaluate("audio => audio.pause()")
    position = audio.evaluate("audio => audio.currentTime")
    assert abs(position - starts[1]) < 0.1
    expect(words.nth(1)).to_have_class(re.compile("spoken"))
    shot(page, "speech-transcript.png")


def test_console_video_puts_face_sightings_on_a_timeline(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Video").click()
    section = page.get_by_role("region", name="Faces in a video")
    expect(section.get_by_label("Collection")).to_have_value("")  # detect, search nothing
    section.get_by_label("Video", exact=True).set_input_files(shared_data(*CLIP))
    summary = section.locator(".summary")
    expect(summary).to_have_attribute("data-count", re.compile("^[1-9]"), timeout=VIDEO_TIMEOUT_MS)
    points = section.get_by_role("group", name=re.compile("sightings of faces")).get_by_role(
        "button"
    )
    expect(points).to_have_count(int(summary.get_attribute("data-count") or ""))
    stamps = [int(ms) for ms in points.evaluate_all("points => points.map(p => p.dataset.ms)")]
    assert stamps == sorted(stamps) and all(0 <= ms <= CLIP_MS for ms in stamps)
    video = section.locator("video")
    duration = video.evaluate(
        """video => video.readyState >= 1 ? video.duration : new Promise((resolve, reject) => {
            video.addEventListener("loadedmetadata", () => resolve(video.duration));
            video.addEventListener("error", () => reject(new Error("video did not decode")));
        })"""
    )
    assert duration > 0
    # The last sighting, chosen by keyboard: the video moves to its moment.
    points.last.focus()
    page.keyboard.press("Enter")
    position = video.evaluate("video => video.currentTime")
    assert abs(position - stamps[-1] / 1000) < 0.1
    shot(page, "video.png")


def test_console_video_searches_a_collections_people(page: Page, server: LiveServer) -> None:
    rekognition = server.client("rekognition", region=VIDEO_REGION)
    rekognition.create_collection(CollectionId="console-performers")
    indexed = rekognition.index_faces(
        CollectionId="console-performers",
        Image={"Bytes": shared_data(*STILL).read_bytes()},
        ExternalImageId="lin-manuel-miranda",
        MaxFaces=1,
    )
    assert len(indexed["FaceRecords"]) == 1
    sign_in(page, region=VIDEO_REGION)
    page.get_by_role("link", name="Video").click()
    section = page.get_by_role("region", name="Faces in a video")
    section.get_by_label("Collection").select_option("console-performers")
    section.get_by_label("Video", exact=True).set_input_files(shared_data(*CLIP))
    summary = section.locator(".summary")
    expect(summary).to_have_attribute("data-count", re.compile("^[1-9]"), timeout=VIDEO_TIMEOUT_MS)
    # As tests/services/rekognition/test_video.py finds: one person, the indexed performer.
    timeline = section.get_by_role("group", name=re.compile("sightings of 1 person"))
    matched = timeline.get_by_role("button", name=re.compile(r"^Person 0 \(lin-manuel-miranda\)"))
    expect(matched.first).to_be_visible()
    matched.first.click()
    stamp = int(matched.first.get_attribute("data-ms") or "")
    position = section.locator("video").evaluate("video => video.currentTime")
    assert abs(position - stamp / 1000) < 0.1
    page.set_viewport_size(PHONE)
    shot(page, "video-phone.png")


def test_console_text_and_jobs_pages(page: Page, server: LiveServer) -> None:
    # An account and region of their own: the jobs page shows this test's jobs only,
    # whatever other tests left on the shared server.
    sign_in(page, OTHER_SECRET_KEY, OTHER_ACCESS_KEY, JOBS_REGION)
    page.get_by_role("link", name="Text").click()
    page.get_by_role("button", name="Analyse").click()
    sentiment = page.get_by_role("region", name="Sentiment")
    expect(sentiment.locator(".big")).to_have_text(
        re.compile("POSITIVE|NEGATIVE|NEUTRAL|MIXED"), timeout=MODEL_TIMEOUT_MS
    )
    language = page.get_by_role("region", name="Dominant language")
    expect(language.locator("td").first).to_have_text("en", timeout=MODEL_TIMEOUT_MS)
    syntax = page.get_by_role("region", name="Syntax")
    expect(syntax.locator("mark").first).to_be_visible(timeout=MODEL_TIMEOUT_MS)
    entities = page.get_by_role("region", name="Entities")
    expect(entities.locator("mark.entity-person")).to_contain_text(
        "Ada Lovelace", timeout=MODEL_TIMEOUT_MS
    )
    shot(page, "text.png")
    task_id = finished_jobs(server)
    page.get_by_role("link", name="Jobs").click()
    transcription = page.get_by_role("table", name=re.compile("Transcription jobs"))
    failed = transcription.get_by_role("row", name=re.compile("console-missing-audio"))
    expect(failed).to_contain_text("FAILED", timeout=MODEL_TIMEOUT_MS)
    expect(failed).to_contain_text("missing.wav")  # the failure reason names the file
    synthesis = page.get_by_role("table", name=re.compile("Speech synthesis tasks"))
    expect(synthesis.get_by_role("row", name=re.compile(task_id))).to_contain_text("completed")
    training = page.get_by_role("table", name=re.compile("Training jobs"))
    expect(training).to_be_visible()
    times = page.locator(".jobs td:nth-child(3)")
    shot(page, "jobs.png", volatile=[times, synthesis.locator("td:first-child")])


def finished_jobs(server: LiveServer) -> str:
    """A transcription job that fails (its audio is missing) and a speech synthesis task
    that completes, both finished; the task's id."""

    def client(service: str) -> Any:
        return server.client(service, OTHER_ACCESS_KEY, OTHER_SECRET_KEY, JOBS_REGION)

    client("s3").create_bucket(
        Bucket="console-jobs", CreateBucketConfiguration={"LocationConstraint": JOBS_REGION}
    )
    transcribe = client("transcribe")
    transcribe.start_transcription_job(
        TranscriptionJobName="console-missing-audio",
        LanguageCode="en-US",
        Media={"MediaFileUri": "s3://console-jobs/missing.wav"},
    )
    polly = client("polly")
    task = polly.start_speech_synthesis_task(
        Text="A task for the jobs page.",
        VoiceId="Joanna",
        OutputFormat="mp3",
        OutputS3BucketName="console-jobs",
    )["SynthesisTask"]
    deadline = time.monotonic() + MODEL_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        job = transcribe.get_transcription_job(TranscriptionJobName="console-missing-audio")
        status = job["TranscriptionJob"]["TranscriptionJobStatus"]
        done = polly.get_speech_synthesis_task(TaskId=task["TaskId"])["SynthesisTask"]
        if status == "FAILED" and done["TaskStatus"] in ("completed", "failed"):
            assert done["TaskStatus"] == "completed", done
            return str(task["TaskId"])
        time.sleep(0.5)
    raise AssertionError("the jobs did not finish")


@pytest.fixture
def flowers_bot(server: LiveServer) -> Iterator[Bot]:
    """The OrderFlowers bot of tests/services/lex, built, alone in an account and region of
    its own so that the page lists it only."""
    models = server.client("lexv2-models", OTHER_ACCESS_KEY, OTHER_SECRET_KEY, BOTS_REGION)
    bot = create_bot(models, "ConsoleFlowers")
    define_flowers(models, bot)
    assert build(models, bot)["botLocaleStatus"] == "Built"
    yield bot
    models.delete_bot(botId=bot.bot_id)


def test_console_bots_chats_with_a_built_bot(page: Page, flowers_bot: Bot) -> None:
    sign_in(page, OTHER_SECRET_KEY, OTHER_ACCESS_KEY, BOTS_REGION)
    page.get_by_role("link", name="Bots").click()
    bots = page.get_by_role("table", name="Bots")
    row = bots.get_by_role("row", name=re.compile("ConsoleFlowers"))
    expect(row).to_contain_text("en_US (Built)", timeout=MODEL_TIMEOUT_MS)
    expect(row).to_contain_text("TestBotAlias → DRAFT")
    expect(page.get_by_label("Bot", exact=True)).to_have_value(flowers_bot.bot_id)
    expect(page.get_by_label("Alias", exact=True)).to_have_value("TSTALIASID")
    # By keyboard: type, Enter sends, the focus stays in the message box for the next turn.
    message = page.get_by_label("Message", exact=True)
    message.fill("I would like to order some flowers")
    message.press("Enter")
    state = page.get_by_role("region", name="Dialog state")
    expect(state.locator("[data-intent]")).to_have_text("OrderFlowers", timeout=MODEL_TIMEOUT_MS)
    expect(state.locator("[data-action]")).to_have_text("ElicitSlot")
    expect(state.locator("[data-state]")).to_have_text("InProgress")
    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation.locator(".bot")).to_have_text(
        ["Bot: What type of flowers would you like to order?"]
    )
    interpretations = page.get_by_role("region", name="Interpretations")
    expect(interpretations.locator("tbody tr").first).to_contain_text("OrderFlowers")
    expect(message).to_be_focused()
    page.keyboard.type("roses")
    page.keyboard.press("Enter")
    slots = page.get_by_role("region", name="Slots")
    expect(slots.get_by_role("row", name=re.compile("FlowerType"))).to_contain_text(
        "roses", timeout=MODEL_TIMEOUT_MS
    )
    expect(state).to_contain_text("PickupDate")
    expect(conversation.locator(".bot").last).to_contain_text("picked up?")
    shot(page, "bots.png")


@pytest.fixture
def hourly_forecast(server: LiveServer) -> str:
    """A seasonal naive forecast of two M4 hourly series (the fastest predictor), in an
    account and region of its own; its name."""
    forecast = server.client("forecast", OTHER_ACCESS_KEY, OTHER_SECRET_KEY, FORECASTS_REGION)
    train, _ = m4_series("Hourly", 2)
    group, _, job = dataset_with_import(
        forecast, server, long_csv(train, dt.timedelta(hours=1)), bucket="console-forecast-data"
    )
    assert job["Status"] == "ACTIVE", job.get("Message")
    predictor = forecast.create_predictor(
        PredictorName="console_naive",
        AlgorithmArn="arn:aws:forecast:::algorithm/Seasonal_Naive",
        ForecastHorizon=HORIZON,
        InputDataConfig={"DatasetGroupArn": group},
        FeaturizationConfig={"ForecastFrequency": "H"},
    )["PredictorArn"]
    assert wait(forecast.describe_predictor, PredictorArn=predictor)["Status"] == "ACTIVE"
    made = forecast.create_forecast(ForecastName="console_hourly", PredictorArn=predictor)
    assert wait(forecast.describe_forecast, ForecastArn=made["ForecastArn"])["Status"] == "ACTIVE"
    return "console_hourly"


def test_console_forecasts_plots_an_items_quantiles(page: Page, hourly_forecast: str) -> None:
    sign_in(page, OTHER_SECRET_KEY, OTHER_ACCESS_KEY, FORECASTS_REGION)
    page.get_by_role("link", name="Forecasts").click()
    listed = page.get_by_role("table", name="Forecasts").get_by_role(
        "row", name=re.compile(hourly_forecast)
    )
    expect(listed).to_contain_text("ACTIVE", timeout=MODEL_TIMEOUT_MS)
    expect(listed).to_contain_text("console_naive")
    page.get_by_label("Item id").fill("item_0")
    page.get_by_role("button", name="Query").click()
    plot = page.get_by_role("img", name=re.compile("^item_0: 24 predictions"))
    expect(plot).to_be_visible(timeout=MODEL_TIMEOUT_MS)
    expect(plot).to_have_attribute("aria-label", re.compile("p50 line in a p10 to p90 band"))
    median = plot.locator("polyline.median").get_attribute("points") or ""
    assert len(median.split()) == HORIZON
    band = plot.locator("polygon.band").get_attribute("points") or ""
    assert len(band.split()) == 2 * HORIZON
    # The numbers behind the plot: quantiles in order at every step.
    page.get_by_text("The numbers").click()
    rows = page.get_by_role("table", name="Predictions for item_0").locator("tbody tr")
    expect(rows).to_have_count(HORIZON)
    for cells in rows.evaluate_all(
        "rows => rows.map(row => [...row.cells].map(c => c.textContent))"
    ):
        p10, p50, p90 = (float(value) for value in cells[1:])
        assert p10 <= p50 <= p90
    page.get_by_text("The numbers").click()
    shot(page, "forecasts.png", volatile=[page.locator(".jobs td:nth-child(4)")])
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "forecasts-phone.png", volatile=[page.locator(".jobs td:nth-child(4)")])


def test_console_sound_trains_and_classifies(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    train_uri = class_folders(server, esc10_clips())
    # A dog clip the training set leaves out, as WAV (the page sends the file's own type).
    held_out = esc10_clips(("dog",), CLIPS_PER_CLASS + 1)[-1]
    clip = tmp_path / "dog.wav"
    clip.write_bytes(wav_bytes(held_out))
    sign_in(page)
    page.get_by_role("link", name="Sound").click()
    train = page.get_by_role("region", name="Train")
    train.get_by_label("Training data (S3 prefix)").fill(train_uri)
    train.get_by_role("button", name="Train").click()
    expect(train.locator("form").get_by_role("status")).to_contain_text(
        "completed", timeout=MODEL_TIMEOUT_MS
    )
    transitions = train.get_by_role("table", name=re.compile("Training job"))
    expect(transitions).to_contain_text("Completed")
    expect(
        train.get_by_role("img", name=re.compile("as reported at each poll")).first
    ).to_be_visible()
    train.get_by_role("button", name="Deploy").click()
    expect(train.get_by_text(re.compile("is InService"))).to_be_visible(timeout=MODEL_TIMEOUT_MS)
    classify = page.get_by_role("region", name="Classify a clip")
    # The list of endpoints is refreshed after the message: wait for it to hold the new one.
    expect(classify.get_by_label("Endpoint")).to_have_value(re.compile("^console-sound-"))
    endpoint = classify.get_by_label("Endpoint").input_value()
    classify.get_by_label("Audio clip", exact=True).set_input_files(clip)
    shown = classify.locator(".clip-label strong")
    expect(shown).not_to_be_empty(timeout=MODEL_TIMEOUT_MS)
    answer = server.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint, Body=clip.read_bytes(), ContentType="audio/wav"
    )
    expected = json.loads(answer["Body"].read())
    expect(shown).to_have_text(expected["label"])
    windows = classify.get_by_role("table", name="Scores per window")
    expect(windows.locator("tbody tr")).to_have_count(len(expected["windows"]))
    volatile = [
        train.get_by_label("Training data (S3 prefix)"),
        train.locator(".summary"),
        transitions.locator("caption"),
        transitions.locator("td:nth-child(2), td:nth-child(3)"),
        train.get_by_role("status"),
        train.get_by_text(re.compile("is InService")),
        classify.get_by_label("Endpoint"),
    ]
    shot(page, "sound.png", volatile=volatile)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    server.client("sagemaker").delete_endpoint(EndpointName=endpoint)
