"""Rasa 3.6 graph component: rewrite token text/lemma to normalised Indonesian.

Place it right after the tokenizer in ``nlu/config.yml``::

    - name: WhitespaceTokenizer
    - name: nlu.components.slang_normalizer.SlangNormalizer

It is registered as a MESSAGE_FEATURIZER: in Rasa 3.6's DefaultV1Recipe only
MESSAGE_TOKENIZER / MESSAGE_FEATURIZER components get a ``process_training_data``
node in the training graph and sit in the message chain at inference, in pipeline
order. (Registering it as a tokenizer would make Rasa treat it as a second tokenizer.)

Token ``start``/``end`` are left untouched (they index the original message text), so
entity annotations, RegexFeaturizer matches and the entity values Rasa cuts from the
original text keep working. The original token text is kept in ``token.data["original"]``.
Featurizers then see normalised words: CountVectorsFeaturizer reads ``lemma`` (use_lemma
defaults to True), LexicalSyntacticFeaturizer reads ``text``. A slang token that maps to
several words ("mksh" -> "terima kasih") stays one token whose text contains a space; the
word CountVectorsFeaturizer splits it into both words for that token.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ACTION_TEXT, RESPONSE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu import normalize as _normalize

_ATTRIBUTES = (TEXT, RESPONSE, ACTION_TEXT)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class SlangNormalizer(GraphComponent):
    """Normalises slang, typos and elongations token by token (offsets preserved)."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # also rewrite `token.text` (LexicalSyntacticFeaturizer, DIET entity features)
            "rewrite_text": True,
            # rewrite `token.lemma` (CountVectorsFeaturizer with use_lemma: True)
            "rewrite_lemma": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._rewrite_text = bool(config.get("rewrite_text", True))
        self._rewrite_lemma = bool(config.get("rewrite_lemma", True))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SlangNormalizer":
        return cls(config)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain / invalidate the cache when the lexicon or the normaliser changes."""
        digest = hashlib.sha256()
        for path in (_normalize.LEXICON_PATH, _normalize.__file__):
            with open(path, "rb") as handle:
                digest.update(handle.read())
        return digest.hexdigest()

    def _normalise_message(self, message: Message) -> None:
        for attribute in _ATTRIBUTES:
            tokens = message.get(TOKENS_NAMES[attribute])
            if not tokens:
                continue
            words = _normalize.in_context([_normalize.normalize_token(t.text) or t.text.lower() for t in tokens])
            for token, normalised in zip(tokens, words):
                original = token.text
                # a pure case change is left alone (keeps the casing features)
                if not normalised or normalised == original.lower():
                    continue
                token.set("original", original)
                if self._rewrite_text:
                    token.text = normalised
                if self._rewrite_lemma:
                    token.lemma = normalised

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalise_message(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise_message(message)
        return messages
