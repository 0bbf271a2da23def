STARS = ["Vega", "Deneb"]
