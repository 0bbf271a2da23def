# What `pysite julia` shows about the Julia that cells run in: its version, the
# project cells see, the packages that project lists and the ones Julia cannot
# find. Included by the worker's value evaluation; the last value is the report.

function pysite_project_packages(file)
    names, in_deps = String[], false
    isfile(file) || return names
    for line in eachline(file)
        s = strip(line)
        if startswith(s, "[")
            in_deps = s == "[deps]"
        elseif in_deps && occursin("=", s)
            push!(names, strip(first(split(s, "="))))
        end
    end
    return sort(names)
end

let project = something(Base.active_project(), "")
    packages = pysite_project_packages(project)
    Dict("version" => string(VERSION),
         "project" => project,
         "project_exists" => isfile(project),
         "packages" => packages,
         "missing" => [name for name in packages if Base.find_package(name) === nothing],
         "depot" => isempty(DEPOT_PATH) ? "" : first(DEPOT_PATH))
end
