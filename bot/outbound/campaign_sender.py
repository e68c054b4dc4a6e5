"""The campaign sender: performs the campaigns the store says are sending, at a steady rate.

One sender runs inside each bot process. It claims a second's worth of a campaign's pending
rows (replicas on PostgreSQL claim different rows), sends them at ``CRM_BROADCAST_RATE``
messages per second and at most one message per chat per second, and records every
outcome. With replicas, a shared budget (``crm.store.rate_slots``: Redis or PostgreSQL) also
gates each message, so the replicas together keep to that rate rather than each of them.
Campaign calls are marked so the outbound limiter lets every reply and acknowledgement go
first. A 429 pauses all sending for Telegram's retry_after and retries the same message; a
403 marks the customer unreachable; a 400 records Telegram's reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
import time
from collections import deque
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.outbound.limiter import CAMPAIGN
from crm.desk import staff
from crm.i18n import DEFAULT_LANGUAGE
from crm.marketing import campaigns
from crm.marketing.campaigns.delivery import Delivery, Outcome
from crm.models import ButtonKind, Campaign, RecipientStatus
from crm.store.rate_slots import RateBudget
from handlers.callbacks import InterestButton

log = logging.getLogger(__name__)

# Above this, Telegram's paid broadcasts (allow_paid_broadcast) are needed.
FREE_BROADCAST_RATE = 30
PER_CHAT_INTERVAL = 1.0  # seconds between two campaign messages to one chat
PROGRESS_EVERY = 3.0  # seconds between edits of the status message


class CampaignSender:
    """Send the store's sending campaigns, batch by batch, until stopped."""

    def __init__(
        self,
        application: Application,
        *,
        rate: float,
        lease: timedelta = campaigns.DEFAULT_LEASE,
        poll_interval: float = 2.0,
        concurrency: int = 64,
        budget: RateBudget | None = None,
    ) -> None:
        self.application = application
        self.rate = rate
        # The rate all replicas share; None: this process is the only sender.
        self.budget = budget
        self.lease = lease
        self.poll_interval = poll_interval
        # Enough calls in flight to keep the rate with ~100 ms round trips to Telegram, and no
        # more: each one waiting in the outbound limiter is one a reply may queue behind.
        self.concurrency = max(1, min(concurrency, math.ceil(rate / 10) + 1))
        # A second's worth per claim: small enough that a pause takes effect at once.
        self.max_batch = max(1, min(int(rate), 1000))
        self.batch_size = self.max_batch
        self.flush_size = max(1, int(rate) // 10)  # outcomes stored per write
        self.token = secrets.token_hex(8)  # this sender's claims
        # A tenth of a second's worth of burst: an even pace that catches up the pauses
        # between batches, yet never more than rate * 1.1 in any one-second window.
        self._limiter = AsyncLimiter(max(rate / 10, 1), max(rate / 10, 1) / max(rate, 1))
        self._last_to_chat: dict[int, float] = {}
        self._sent_times: deque[float] = deque(maxlen=10_000)
        self._last_progress: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._recovered_at = float("-inf")
        self._stopping = asyncio.Event()

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the sending loop in the background."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="campaign-sender")

    async def stop(self) -> None:
        """Finish the messages under way, hand back unstarted claims, and stop."""
        if self._task is None:
            return
        self._stopping.set()
        self.application.bot_data.campaign_wakeup.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        released = await campaigns.release_claims(token=self.token)
        if released:
            log.info("campaign sender stopped; %s unsent claims handed back", released)
        if self.budget is not None:
            await self.budget.close()

    async def _run(self) -> None:
        wakeup: asyncio.Event = self.application.bot_data.campaign_wakeup
        while not self._stopping.is_set():
            try:
                worked = await self.step()
            except Exception:
                log.exception("campaign sender step failed; trying again shortly")
                worked = 0
            if worked or self._stopping.is_set():
                continue
            wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), self.poll_interval)

    # -- one round ----------------------------------------------------------------------

    async def step(self) -> int:
        """Send one batch of each sending campaign; return how many rows were settled."""
        # Stale claims matter on the lease's timescale; looking every step would scan the
        # send lists every second.
        now = time.monotonic()
        if now - self._recovered_at >= self.lease.total_seconds() / 4:
            self._recovered_at = now
            await campaigns.recover_stale(lease=self.lease)
        await campaigns.start_due_campaigns()
        settled = 0
        for campaign_id in await campaigns.sending_campaign_ids():
            if self._stopping.is_set():
                break
            settled += await self._send_batch(campaign_id)
        return settled

    async def _send_batch(self, campaign_id: int) -> int:
        campaign = await Campaign.get_or_none(id=campaign_id)
        if campaign is None:
            return 0
        wanted = self.batch_size
        batch = await campaigns.claim_deliveries(
            campaign_id=campaign_id, token=self.token, limit=wanted
        )
        started = time.monotonic()
        settled = 0
        unrecorded: list[Outcome] = []

        async def settle(outcome: Outcome | None, *, flush: bool = False) -> None:
            # Recorded within ~0.1 s of sending: a kill leaves few "delivery unknown" rows.
            nonlocal settled
            if outcome is not None:
                unrecorded.append(outcome)
                settled += 1
            if unrecorded and (flush or len(unrecorded) >= self.flush_size):
                taken = unrecorded[:]
                unrecorded.clear()
                await campaigns.record_outcomes(outcomes=taken)

        if batch and campaign.photo is not None and campaign.photo_file_id is None:
            # Upload the photo once; everyone else gets Telegram's file_id.
            await settle(await self._deliver(campaign, batch[0]), flush=True)
            batch = batch[1:]
        queue: asyncio.Queue[Delivery] = asyncio.Queue()
        for delivery in batch:
            queue.put_nowait(delivery)

        async def worker() -> None:
            while not queue.empty():
                delivery = queue.get_nowait()
                await settle(await self._deliver(campaign, delivery))

        workers = min(self.concurrency, len(batch))
        if workers:
            await asyncio.gather(*(worker() for _ in range(workers)))
        await settle(None, flush=True)
        self._fit_batch(wanted=wanted, got=len(batch), seconds=time.monotonic() - started)
        finished = await campaigns.finish_if_complete(campaign_id=campaign_id)
        await self._report_progress(campaign_id, final=finished)
        return settled or (1 if finished else 0)

    def _fit_batch(self, *, wanted: int, got: int, seconds: float) -> None:
        """Claim a second's worth at the pace this sender really gets, from now on.

        Replicas sharing one rate each get a share of it: a full second's worth of the whole
        rate would take one of N replicas N seconds to send, holding claims long enough for a
        short lease to lapse under it.
        """
        if got < wanted or seconds <= 0 or self._stopping.is_set():
            return  # the campaign ran out (or we stop): says nothing about the pace
        self.batch_size = max(1, min(self.max_batch, math.ceil(got / seconds)))

    async def _deliver(self, campaign: Campaign, delivery: Delivery) -> Outcome | None:
        """Send one campaign message and say what happened (None: not ours any more)."""
        # The local limiter keeps this process's pace even; the shared budget, asked last
        # and just before sending, caps what all replicas send together.
        await self._limiter.acquire()
        await self._space_chat(delivery.chat_id)
        if self.budget is not None and not await self.budget.acquire(stop=self._stopping):
            return None  # stopping: the row stays claimed, and stop() hands it back unsent
        if not await campaigns.mark_sending(recipient_id=delivery.recipient_id, token=self.token):
            return None  # our claim lapsed and another sender has the row now
        try:
            message_id = await self._send(campaign, delivery)
        except Forbidden:
            return Outcome(
                delivery.recipient_id,
                RecipientStatus.FAILED,
                campaigns.BLOCKED_REASON,
                blocked=True,
            )
        except BadRequest as err:
            return Outcome(delivery.recipient_id, RecipientStatus.FAILED, str(err)[:255])
        except RetryAfter as err:
            # Still limited after the limiter's own waits: nothing was sent, so try later.
            log.warning("campaign #%s: rate limited after retries (%s)", campaign.id, err)
            return Outcome(delivery.recipient_id, RecipientStatus.PENDING)
        except TimedOut:
            return Outcome(
                delivery.recipient_id,
                RecipientStatus.FAILED,
                "timed out: delivery unknown, not retried so nobody gets it twice",
            )
        except (NetworkError, TelegramError) as err:
            return Outcome(delivery.recipient_id, RecipientStatus.FAILED, str(err)[:255])
        self._sent_times.append(time.monotonic())
        return Outcome(delivery.recipient_id, RecipientStatus.SENT, message_id=message_id)

    async def _space_chat(self, chat_id: int) -> None:
        """Keep at least a second between two campaign messages to the same chat."""
        now = time.monotonic()
        last = self._last_to_chat.get(chat_id)
        if last is not None and now - last < PER_CHAT_INTERVAL:
            await asyncio.sleep(PER_CHAT_INTERVAL - (now - last))
        self._last_to_chat[chat_id] = time.monotonic()
        if len(self._last_to_chat) > 50_000:
            cutoff = time.monotonic() - PER_CHAT_INTERVAL
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t >= cutoff}

    async def _send(self, campaign: Campaign, delivery: Delivery) -> int:
        bot = self.application.bot
        text = campaigns.compose_text(campaign, delivery.language)
        extra = {"allow_paid_broadcast": True} if self.rate > FREE_BROADCAST_RATE else {}
        if campaign.photo_file_id is not None or campaign.photo is not None:
            photo = campaign.photo_file_id or InputFile(bytes(campaign.photo), filename="photo")
            message = await bot.send_photo(
                delivery.chat_id,
                photo,
                caption=text,
                reply_markup=_markup(campaign),
                rate_limit_args=CAMPAIGN,
                **extra,
            )
            if campaign.photo_file_id is None and message.photo:
                campaign.photo_file_id = message.photo[-1].file_id
                await campaigns.remember_photo(
                    campaign_id=campaign.id, file_id=campaign.photo_file_id
                )
            return message.message_id
        message = await bot.send_message(
            delivery.chat_id,
            text,
            reply_markup=_markup(campaign),
            rate_limit_args=CAMPAIGN,
            **extra,
        )
        return message.message_id

    # -- progress -----------------------------------------------------------------------

    def current_rate(self, window: float = 5.0) -> float:
        """Return messages per second over the last few seconds."""
        now = time.monotonic()
        recent = [t for t in self._sent_times if now - t <= window]
        if len(recent) < 2:
            return float(len(recent))
        return len(recent) / max(now - recent[0], 1.0)

    async def _report_progress(self, campaign_id: int, *, final: bool) -> None:
        """Edit the starter's status message now and then; send the report at the end."""
        now = time.monotonic()
        if not final and now - self._last_progress.get(campaign_id, 0.0) < PROGRESS_EVERY:
            return
        self._last_progress[campaign_id] = now
        campaign = await Campaign.get_or_none(id=campaign_id)
        if campaign is None or campaign.progress_chat_id is None:
            return
        bot = self.application.bot
        progress = await campaigns.progress(campaign_id=campaign_id)
        # The progress chat is the starter's private chat: their id, their language.
        starter = await staff.find_staff(telegram_id=campaign.progress_chat_id)
        lang = starter.text_language if starter is not None else DEFAULT_LANGUAGE
        line = campaigns.describe_progress(
            campaign, progress, rate=None if final else self.current_rate(), lang=lang
        )
        try:
            if campaign.progress_message_id is not None:
                await bot.edit_message_text(
                    line,
                    chat_id=campaign.progress_chat_id,
                    message_id=campaign.progress_message_id,
                )
            else:
                sent = await bot.send_message(campaign.progress_chat_id, line)
                await campaigns.set_progress_message(
                    campaign_id=campaign_id,
                    chat_id=campaign.progress_chat_id,
                    message_id=sent.message_id,
                )
            if final:
                self._last_progress.pop(campaign_id, None)
                report = await campaigns.campaign_report(campaign_id=campaign_id)
                await bot.send_message(
                    campaign.progress_chat_id, "✅ " + campaigns.describe_report(report, lang)
                )
        except BadRequest as err:
            if "not modified" not in str(err).lower():
                log.info("campaign #%s: progress message not updated: %s", campaign_id, err)
        except TelegramError as err:
            log.info("campaign #%s: progress message not updated: %s", campaign_id, err)


def _markup(campaign: Campaign) -> InlineKeyboardMarkup | None:
    if not campaign.button_text or campaign.button_kind is None:
        return None
    if campaign.button_kind is ButtonKind.URL:
        button = InlineKeyboardButton(campaign.button_text, url=campaign.button_url)
    else:
        data = InterestButton(campaign=campaign.id).pack()
        button = InlineKeyboardButton(campaign.button_text, callback_data=data)
    return InlineKeyboardMarkup([[button]])
