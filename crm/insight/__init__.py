"""The managers' numbers, as data: one module per metric family, the report and the summary.

periods and queries are the shared ground; satisfaction, flow, times, mood, agents and series
are the families; report and summary gather them. Rendering is the edges' job (handlers/views
for Telegram, bot/cli/insight for a terminal). segments and charts sit beside them.
"""
