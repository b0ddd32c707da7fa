"""A GAN page's session in a training worker: the playground's session machinery around a ``gan.GanRun``.

The worker plays it as it plays a playground (one iteration per turn, the speed, frames at most
``workers.FPS`` a second, the loss history sent once); the messages are ``gan_protocol``'s.
"""
from __future__ import annotations

from . import gan_protocol, protocol
from .gan import GanConfig, GanRun
from .run_session import RunSession
from .workers import download


class GanSession(RunSession):
    run: GanRun
    parse = staticmethod(lambda raw: protocol.parse(raw, gan_protocol.GAN_MESSAGE))
    DIVERGED = ("training diverged at iteration {bad} (a loss or weight is not finite); restored iteration {good}: "
                "lower a learning rate and play on")

    def new_run(self) -> GanRun:
        return GanRun(GanConfig())

    def apply(self, msg) -> str | dict | None:
        run = self.run
        if isinstance(msg, (protocol.View, protocol.Restore)):
            if not run.tape[0].iteration <= msg.epoch <= run.tape[-1].iteration:
                return f"epoch: no snapshot of iteration {msg.epoch}"
            if isinstance(msg, protocol.View):
                self.playing = False
                self.view = run.nearest(msg.epoch).iteration
            else:
                run.restore(msg.epoch)
        elif isinstance(msg, gan_protocol.GanConfigure):
            return protocol.configured(run, msg.settings, gan_protocol.check)
        elif isinstance(msg, gan_protocol.GanStep):
            self.playing = False
            run.step(msg.unit)
            self.guard()
        elif isinstance(msg, protocol.Reset):
            self.playing = False
            run.reset()
        elif isinstance(msg, protocol.Export):
            return self.export(msg)
        return None

    def export(self, msg: protocol.Export) -> dict | str:
        from . import gan_export

        stem = f"gan-{self.run.cfg.distribution}-iteration{self.run.iteration}"
        if msg.what == "movie":
            from .gan_movie import movie_request

            return movie_request(self.run, stem, msg.quality, msg.theme)
        if msg.what == "state_dict":
            return download(gan_export.state_dict_bytes(self.run), stem + ".pt", "application/octet-stream")
        return download(gan_export.script(self.run).encode(), stem + ".py", "text/x-python")

    def frame_data(self) -> dict:
        """Only the history entries the page lacks (same run, not cut back)."""
        return gan_protocol.frame(self.run, iteration=self.view, history_from=self.history_known(self.run.history))
