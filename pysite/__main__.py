from pysite.resident import run

run()
