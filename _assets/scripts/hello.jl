# Greets in a few languages, with the number of letters of each greeting.
for greeting in ("Hello", "Bonjour", "Hola", "Grüß Gott")
    println(rpad(greeting, 10), length(greeting), " letters")
end
