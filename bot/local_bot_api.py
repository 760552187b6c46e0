"""A Telegram Bot API server on loopback, kept in memory.

The console chat and the tests point the real python-telegram-bot Application at it with `base_url`, so every
update and reply really goes over HTTP exactly as with Telegram. It implements the methods the bot calls,
records every call, lets a caller play workers, officers and groups (messages, button presses, edits, media),
and can inject Telegram's errors (flood limits, blocked bot, bad requests) to test how the bot copes.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

STRING_FIELDS = {
    "text", "caption", "parse_mode", "callback_query_id", "url", "description", "name", "title", "action",
    "secret_token", "emoji", "short_description", "language_code", "inline_message_id", "icon_custom_emoji_id",
    "photo", "document", "voice", "video", "audio", "sticker", "animation", "video_note",
}


@dataclass
class Sent:
    """One thing the bot did to a chat: a new message, an edit, a deleted message, an answered callback."""

    method: str
    chat_id: int | None
    params: dict[str, Any]
    message: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        if self.message is None:
            return str(self.params.get("text", ""))
        return self.message.get("text") or self.message.get("caption") or ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data or url) of every inline button, row by row."""
        markup = (self.message or {}).get("reply_markup") or self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows = markup.get("inline_keyboard") or []
        return [(b["text"], b.get("callback_data") or b.get("url") or "") for row in rows for b in row]

    @property
    def keyboard(self) -> list[str]:
        """Labels of a reply keyboard (the buttons under the typing field)."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b["text"] if isinstance(b, dict) else b for row in markup.get("keyboard") or [] for b in row]


@dataclass
class _Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


@dataclass
class LocalUser:
    id: int
    first_name: str = "Siti"
    username: str | None = None
    language_code: str = "id"

    def as_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}
        if self.username:
            data["username"] = self.username
        return data


class LocalBotApi:
    """In-memory Bot API. Start it, give `base_url` to PTB, then play users with `chat()`."""

    def __init__(self, token: str = "123456:LOCAL-bot-api-token", bot_username: str = "sahabat_pmi_bot",
                 first_update_id: int = 1) -> None:
        self.token = token
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": "Sahabat PMI",
                         "username": bot_username, "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[Sent] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[int] = set()
        self.forum_chats: set[int] = set()
        self.unknown_methods: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(first_update_id)
        self._message_ids: dict[int, itertools.count] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._new_update = asyncio.Event()
        self._outbox: dict[int, asyncio.Queue[Sent]] = defaultdict(asyncio.Queue)
        self._listeners: list[Callable[[Sent], None]] = []
        self._failures: list[_Failure] = []
        self._delays: list[list[Any]] = []  # [method, chat_id, seconds, times]
        self.left_chats: list[int] = []
        self._topic_ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # --- server lifecycle -----------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- playing users --------------------------------------------------------------------------------------

    def chat(self, user_id: int, first_name: str = "Siti", chat_id: int | None = None,
             chat_type: str = "private", title: str | None = None, username: str | None = None) -> "ChatPlayer":
        """A user in a chat (private by default) who can type, press buttons and read the bot's replies."""
        user = LocalUser(user_id, first_name, username=username)
        chat = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = title or "Petugas Sahabat PMI"
            if chat["id"] in self.forum_chats:
                chat["is_forum"] = True
        return ChatPlayer(self, user, chat)

    def on_sent(self, listener: Callable[[Sent], None]) -> None:
        self._listeners.append(listener)

    def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **payload}
        self._updates.append(update)
        self._new_update.set()
        return update

    def new_message(self, user: LocalUser, chat: dict[str, Any], text: str | None = None,
                    **extra: Any) -> dict[str, Any]:
        message_id = next(self._message_ids[chat["id"]])
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                                   "from": user.as_dict()}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        self._messages[(chat["id"], message_id)] = message
        return message

    def fail_next(self, method: str, status: int = 429, description: str = "Too Many Requests: retry after 1",
                  retry_after: int | None = None, chat_id: int | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` (to `chat_id`, if given) fail like Telegram would."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._failures.append(_Failure(method, status, description, retry_after, chat_id, times))

    def delay_next(self, method: str, seconds: float, chat_id: int | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` answer only after `seconds` (a slow network: the call still
        takes effect, as on Telegram, but a client with a shorter timeout gives up first)."""
        self._delays.append([method, chat_id, seconds, times])

    def outbox(self, chat_id: int) -> asyncio.Queue[Sent]:
        return self._outbox[chat_id]

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    # --- the Bot API side -----------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        for delay in self._delays:
            if delay[0] == method and (delay[1] is None or delay[1] == _chat_id(params)):
                delay[3] -= 1
                if delay[3] <= 0:
                    self._delays.remove(delay)
                await asyncio.sleep(delay[2])
                break
        failure = self._take_failure(method, params)
        if failure:
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after:
                body["parameters"] = {"retry_after": failure.retry_after}
            return web.json_response(body, status=failure.status)
        chat_id = _chat_id(params)
        if chat_id is not None and chat_id in self.blocked and method.startswith(("send", "copy", "forward")):
            return web.json_response({"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"}, status=403)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            self.unknown_methods.append(method)
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                                     status=404)
        try:
            result = await handler(params) if asyncio.iscoroutinefunction(handler) else handler(params)
        except _ApiError as err:
            return web.json_response({"ok": False, "error_code": err.status, "description": err.description},
                                     status=err.status)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
            return params
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if hasattr(value, "file"):  # an uploaded file
                    params[key] = {"file_name": value.filename, "size": len(value.file.read())}
                elif key in STRING_FIELDS:
                    params[key] = value
                else:
                    try:
                        params[key] = json.loads(value)
                    except (TypeError, ValueError):
                        params[key] = value
        return params

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        for failure in self._failures:
            if failure.method == method and (failure.chat_id is None or failure.chat_id == _chat_id(params)):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _record(self, method: str, chat_id: int | None, params: dict[str, Any],
                message: dict[str, Any] | None = None) -> Sent:
        sent = Sent(method, chat_id, params, message)
        self.sent.append(sent)
        if chat_id is not None:
            self._outbox[chat_id].put_nowait(sent)
        for listener in self._listeners:
            listener(sent)
        return sent

    def _bot_message(self, method: str, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = _chat_id(params)
        if chat_id is None:
            raise _ApiError(400, "Bad Request: chat_id is empty")
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id in self.forum_chats:
            chat["is_forum"] = True
        message_id = next(self._message_ids[chat_id])
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user,
                   **content}
        if params.get("reply_markup") and "inline_keyboard" in params["reply_markup"]:
            message["reply_markup"] = params["reply_markup"]
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = True
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        if reply_to and (chat_id, reply_to) in self._messages:
            message["reply_to_message"] = self._messages[(chat_id, reply_to)]
        self._messages[(chat_id, message_id)] = message
        self._record(method, chat_id, params, message)
        return message

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), 5.0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        return self._updates[:limit]

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setwebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        self.commands[params.get("language_code") or ""] = params.get("commands") or []
        return True

    def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(params.get("language_code") or "", None)
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(params.get("language_code") or "", [])

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = _visible_text(params)
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._bot_message("sendMessage", params, text=text)

    def _api_sendlocation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_message("sendLocation", params,
                                 location={"latitude": params["latitude"], "longitude": params["longitude"]})

    def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_message("sendPhoto", params, photo=[{"file_id": str(params.get("photo")),
                                                              "file_unique_id": "u", "width": 1, "height": 1}],
                                 caption=params.get("caption"))

    def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._bot_message("sendDocument", params, document={"file_id": str(params.get("document")),
                                                                   "file_unique_id": "u"},
                                 caption=params.get("caption"))

    def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        if message.get("text") == _visible_text(params) and message.get("reply_markup") == params.get("reply_markup"):
            raise _ApiError(400, "Bad Request: message is not modified")
        message["text"] = _visible_text(params)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self._record("editMessageText", message["chat"]["id"], params, message)
        return message

    def _api_editmessagecaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        if "caption" not in message and not any(k in message for k in ("photo", "document", "video", "voice",
                                                                          "audio", "animation")):
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = _visible_text({"text": params.get("caption") or "", "parse_mode": params.get("parse_mode")})
        if message.get("caption") == caption:
            raise _ApiError(400, "Bad Request: message is not modified")
        message["caption"] = caption
        self._record("editMessageCaption", message["chat"]["id"], params, message)
        return message

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(params)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        self._record("editMessageReplyMarkup", message["chat"]["id"], params, message)
        return message

    def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        message = self._existing(params)
        del self._messages[(message["chat"]["id"], message["message_id"])]
        self._record("deleteMessage", message["chat"]["id"], params, message)
        return True

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        self._record("answerCallbackQuery", None, params)
        return True

    def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        return True

    def _api_copymessage(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self._messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if source is None:
            raise _ApiError(400, "Bad Request: message to copy not found")
        content = {k: v for k, v in source.items()
                   if k not in ("message_id", "date", "chat", "from", "reply_markup", "entities")}
        if "caption" in params:
            content["caption"] = _visible_text({"text": params["caption"], "parse_mode": params.get("parse_mode")})
        message = self._bot_message("copyMessage", params, **content)
        return {"message_id": message["message_id"]}

    def _api_forwardmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        source = self._messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if source is None:
            raise _ApiError(400, "Bad Request: message to forward not found")
        content = {k: v for k, v in source.items() if k not in ("message_id", "date", "chat", "from")}
        return self._bot_message("forwardMessage", params, forward_origin={"type": "hidden_user", "date": 0,
                                                                           "sender_user_name": "worker"}, **content)

    def _api_createforumtopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        if chat_id not in self.forum_chats:
            raise _ApiError(400, "Bad Request: the chat is not a forum")
        topic = {"message_thread_id": next(self._topic_ids), "name": params.get("name", ""), "icon_color": 0}
        self._record("createForumTopic", chat_id, params)
        return topic

    def _api_getchat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params) or 0
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup",
                "is_forum": chat_id in self.forum_chats, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                        "unique_gifts": False, "premium_subscription": False,
                                        "gifts_from_channels": False}}

    def _api_leavechat(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_id(params)
        self.left_chats.append(chat_id)
        self._record("leaveChat", chat_id, params)
        return True

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logout(self, params: dict[str, Any]) -> bool:
        return True

    def _existing(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (_chat_id(params), int(params.get("message_id") or 0))
        if key not in self._messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self._messages[key]


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _chat_id(params: dict[str, Any]) -> int | None:
    value = params.get("chat_id")
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _visible_text(params: dict[str, Any]) -> str:
    """The text a Telegram user sees: HTML is checked like Telegram does, then tags and escapes are removed."""
    import html
    import re

    text = str(params.get("text") or "")
    if params.get("parse_mode") == "HTML":
        _check_html(text)
        return html.unescape(re.sub(r"</?[a-zA-Z-]+[^>]*>", "", text))
    return text


_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                 "blockquote", "span", "tg-emoji"}


def _check_html(text: str) -> None:
    """Reject what Telegram rejects: unknown tags and unbalanced ones (so unescaped user text is caught in tests)."""
    import re

    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-zA-Z-]*)[^>]*>|<", text):
        if match.group(0) == "<":
            raise _ApiError(400, "Bad Request: can't parse entities: unsupported start tag")
        closing, tag = match.group(1), match.group(2).lower()
        if tag not in _ALLOWED_TAGS:
            raise _ApiError(400, f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        if closing:
            if not stack or stack.pop() != tag:
                raise _ApiError(400, f"Bad Request: can't parse entities: unexpected end tag \"{tag}\"")
        else:
            stack.append(tag)
    if stack:
        raise _ApiError(400, "Bad Request: can't parse entities: can't find end tag")


@dataclass
class ChatPlayer:
    """A person in one chat: sends what a Telegram client would send and reads what the bot sent there."""

    api: LocalBotApi
    user: LocalUser
    chat: dict[str, Any]
    last_bot_message: dict[str, Any] | None = field(default=None)

    @property
    def chat_id(self) -> int:
        return self.chat["id"]

    def send(self, text: str, reply_to: dict[str, Any] | None = None, thread_id: int | None = None,
             **extra: Any) -> dict[str, Any]:
        if reply_to is not None:
            extra["reply_to_message"] = reply_to
        if thread_id is not None:
            extra["message_thread_id"] = thread_id
            extra["is_topic_message"] = True
        message = self.api.new_message(self.user, self.chat, text, **extra)
        self.api.push_update({"message": message})
        return message

    def send_media(self, kind: str, caption: str | None = None, **extra: Any) -> dict[str, Any]:
        """kind: photo, voice, document, sticker, video, location, contact, poll."""
        samples: dict[str, Any] = {
            "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 640, "height": 480}],
            "voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 4},
            "document": {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "kontrak.pdf"},
            "sticker": {"file_id": "stk-1", "file_unique_id": "s1", "width": 512, "height": 512,
                        "is_animated": False, "is_video": False, "type": "regular"},
            "video": {"file_id": "vid-1", "file_unique_id": "vd1", "width": 1, "height": 1, "duration": 3},
            "location": {"latitude": 22.3193, "longitude": 114.1694},
            "contact": {"phone_number": "+85200000000", "first_name": "Teman"},
            "poll": {"id": "1", "question": "?", "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}], "allows_revoting": False, "members_only": False,
                     "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                     "allows_multiple_answers": False},
        }
        content = {kind: extra.pop(kind, samples[kind]), **extra}
        if caption:
            content["caption"] = caption
        message = self.api.new_message(self.user, self.chat, None, **content)
        self.api.push_update({"message": message})
        return message

    def edit(self, message: dict[str, Any], new_text: str) -> dict[str, Any]:
        edited = dict(message, text=new_text, edit_date=int(time.time()))
        self.api._messages[(self.chat_id, message["message_id"])] = edited
        self.api.push_update({"edited_message": edited})
        return edited

    def press(self, label_or_data: str, message: dict[str, Any] | None = None,
              raw_data: str | None = None) -> dict[str, Any]:
        """Press an inline button of `message` (default: the newest bot message with buttons) by its label."""
        message = message or self._newest_with_buttons()
        if raw_data is None:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            buttons = [b for row in rows for b in row]
            matches = [b for b in buttons if b["text"] == label_or_data or b.get("callback_data") == label_or_data]
            if not matches:
                matches = [b for b in buttons if label_or_data.lower() in b["text"].lower()]
            if not matches:
                raise AssertionError(f"no button {label_or_data!r} in {[b['text'] for b in buttons]}")
            raw_data = matches[0]["callback_data"]
        query = {"id": str(next(self.api._update_ids) * 7), "from": self.user.as_dict(), "chat_instance": "ci",
                 "message": message, "data": raw_data}
        self.api.push_update({"callback_query": query})
        return query

    def _newest_with_buttons(self) -> dict[str, Any]:
        for sent in reversed(self.api.sent):
            if sent.chat_id == self.chat_id and sent.message and (sent.message.get("reply_markup") or {}).get(
                    "inline_keyboard"):
                current = self.api._messages.get((self.chat_id, sent.message["message_id"]))
                if current and (current.get("reply_markup") or {}).get("inline_keyboard"):
                    return current
        raise AssertionError("the bot sent no message with buttons to this chat")

    async def next(self, timeout: float = 10.0) -> Sent:
        """The next thing the bot did in this chat (a message, an edit, ...)."""
        try:
            sent = await asyncio.wait_for(self.api.outbox(self.chat_id).get(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"the bot sent nothing to chat {self.chat_id} within {timeout}s") from None
        if sent.message is not None:
            self.last_bot_message = sent.message
        return sent

    async def expect(self, contains: str, timeout: float = 10.0) -> Sent:
        """Read the bot's output until a message containing `contains` arrives."""
        seen = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"no message containing {contains!r}; saw {seen!r}")
            try:
                sent = await self.next(remaining)
            except AssertionError:
                raise AssertionError(f"no message containing {contains!r}; saw {seen!r}") from None
            seen.append(sent.text[:200])
            if contains.lower() in sent.text.lower():
                return sent

    async def quiet(self, seconds: float = 0.5) -> list[Sent]:
        """Everything the bot sends within `seconds` (to assert that it said nothing more)."""
        out = []
        while True:
            try:
                out.append(await self.next(seconds))
            except AssertionError:
                return out

    def drain(self) -> list[Sent]:
        out = []
        queue = self.api.outbox(self.chat_id)
        while not queue.empty():
            out.append(queue.get_nowait())
        return out
